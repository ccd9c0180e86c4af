//! What the custom-drug operations return: drugs as read back, the per-item outcome of a bulk
//! create, and the confirmation the irreversible delete takes.

use super::fields::NewCustomDrug;
use parchment_api::{NumericText, types};

/// A custom drug as Parchment returns it. Optional fields are left out of responses when
/// unset, so every field is optional here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomDrug {
    /// The drug's id, for updates and to prefill the prescription form.
    pub custom_drug_id: Option<String>,
    /// Generic name.
    pub item_generic_name: Option<String>,
    /// Strength (`500mg`).
    pub item_strength: Option<String>,
    /// Form (`Capsule`).
    pub item_form: Option<String>,
    /// Route of administration (`Oral`).
    pub route_of_administration: Option<String>,
    /// Default quantity (a string or a number on the wire).
    pub quantity: Option<NumericText>,
    /// Maximum repeats (a string or a number on the wire).
    pub max_repeats: Option<NumericText>,
    /// Poison schedule (`S4`).
    pub poison_class: Option<String>,
    /// Trade name.
    pub item_trade_name: Option<String>,
    /// Brand name.
    pub brand_name: Option<String>,
    /// The partner's own product id.
    pub custom_product_id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Default patient instructions.
    pub patient_instructions: Option<String>,
    /// Default doctor instructions.
    pub doctor_instructions: Option<String>,
}

impl From<types::CustomDrug> for CustomDrug {
    fn from(wire: types::CustomDrug) -> Self {
        Self {
            custom_drug_id: wire.custom_drug_id,
            item_generic_name: wire.item_generic_name,
            item_strength: wire.item_strength,
            item_form: wire.item_form,
            route_of_administration: wire.route_of_administration,
            quantity: wire.quantity,
            max_repeats: wire.max_repeats,
            poison_class: wire.poison_class,
            item_trade_name: wire.item_trade_name,
            brand_name: wire.brand_name,
            custom_product_id: wire.custom_product_id,
            description: wire.description,
            patient_instructions: wire.patient_instructions,
            doctor_instructions: wire.doctor_instructions,
        }
    }
}

/// What became of one item of a bulk create.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemOutcome {
    /// Created (the server listed no failure for it, and its failure list is complete).
    Created,
    /// Not created; the server's reason.
    Failed {
        /// The server's `error` for this item.
        error: Option<String>,
    },
    /// Not known: the server cut its failure list (it lists at most 50), so an item it does
    /// not list may have failed too.
    Unknown,
}

/// One of the caller's items, with its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkItem {
    /// The drug as the caller gave it.
    pub drug: NewCustomDrug,
    /// What became of it.
    pub outcome: ItemOutcome,
}

/// What a bulk create did, item by item in the caller's order (the server reports failures
/// by 1-based position; they are mapped back here).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkCreateOutcome {
    /// Every item sent, in order, with its outcome.
    pub items: Vec<BulkItem>,
    /// How many items the server processed.
    pub total: Option<u64>,
    /// How many it created.
    pub success_count: Option<u64>,
    /// How many failed, all of them (the list may be shorter).
    pub failure_count: Option<u64>,
    /// Whether the server listed fewer failures than `failure_count` (it lists at most 50):
    /// the unlisted items' outcomes are then [`ItemOutcome::Unknown`].
    pub failures_truncated: bool,
    /// Failures whose index matches none of the items sent (1-based index as sent, error).
    pub unmatched_failures: Vec<(i64, Option<String>)>,
}

impl BulkCreateOutcome {
    /// The items that failed, with their 0-based position in the caller's list.
    pub fn failed(&self) -> impl Iterator<Item = (usize, &BulkItem)> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, item)| matches!(item.outcome, ItemOutcome::Failed { .. }))
    }

    /// Maps the server's result onto the items sent.
    pub(crate) fn from_wire(drugs: Vec<NewCustomDrug>, wire: types::BulkCreateResult) -> Self {
        let non_negative = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        let failures = wire.failures.unwrap_or_default();
        let failure_count = non_negative(wire.failure_count);
        let failures_truncated = failure_count.is_some_and(|count| count > failures.len() as u64);
        let unlisted = if failures_truncated {
            ItemOutcome::Unknown
        } else {
            ItemOutcome::Created
        };
        let mut items: Vec<BulkItem> = drugs
            .into_iter()
            .map(|drug| BulkItem {
                drug,
                outcome: unlisted.clone(),
            })
            .collect();
        let mut unmatched_failures = Vec::new();
        for failure in failures {
            let position = failure
                .index
                .and_then(|index| usize::try_from(index).ok())
                .and_then(|index| index.checked_sub(1))
                .filter(|&position| position < items.len());
            match position {
                Some(position) => {
                    items[position].outcome = ItemOutcome::Failed {
                        error: failure.error,
                    }
                }
                None => unmatched_failures.push((failure.index.unwrap_or(0), failure.error)),
            }
        }
        Self {
            items,
            total: non_negative(wire.total),
            success_count: non_negative(wire.success_count),
            failure_count,
            failures_truncated,
            unmatched_failures,
        }
    }
}

/// The confirmation [`OrganizationCustomDrugs::delete_all_irreversibly`] takes: a value to
/// write out, so that no default, flag or stray `true` can delete a catalogue.
///
/// [`OrganizationCustomDrugs::delete_all_irreversibly`]: crate::OrganizationCustomDrugs::delete_all_irreversibly
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfirmDeleteAll {
    /// Delete every organization-level custom drug; this cannot be undone.
    EveryOrganizationCustomDrug,
}
