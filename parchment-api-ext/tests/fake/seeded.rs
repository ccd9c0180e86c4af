//! Generated users: seeded providers carry a date of birth and identifiers that pass
//! their check digits, so tests of a service's validation see realistic data.

use crate::support::fake::users;
use crate::{date, first_with_role, read};
use parchment_api_ext::testing::FakeParchment;
use parchment_api_ext::{Role, UserSummary};

/// The Luhn check over every digit (the last one is the check digit).
fn luhn_valid(number: &str) -> bool {
    let digits: Option<Vec<u32>> = number.chars().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits else {
        return false;
    };
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (1, doubled) if doubled > 9 => doubled - 9,
            (1, doubled) => doubled,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A Medicare provider number: six-digit stem, practice location character, check character.
fn medicare_provider_number_valid(number: &str) -> bool {
    const LOCATIONS: &str = "0123456789ABCDEFGHJKLMNPQRTUVWXY";
    const CHECKS: &[u8] = b"YXWTLKJHFBA";
    const WEIGHTS: [usize; 6] = [3, 5, 8, 4, 2, 1];
    let bytes = number.as_bytes();
    if bytes.len() != 8 || !bytes[..6].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some(location) = LOCATIONS.find(char::from(bytes[6])) else {
        return false;
    };
    let sum: usize = bytes[..6]
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| usize::from(digit - b'0') * weight)
        .sum::<usize>()
        + location * 6;
    CHECKS[sum % 11] == bytes[7]
}

#[tokio::test]
async fn a_seeded_provider_reads_with_a_date_of_birth_and_valid_identifiers() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let page = users.list().limit(100).send().await.expect("listed");
    let providers: Vec<&UserSummary> = page
        .users
        .iter()
        .filter(|user| {
            user.roles
                .as_ref()
                .is_some_and(|roles| roles.contains(&Role::Provider))
        })
        .collect();
    assert!(
        !providers.is_empty(),
        "every third seeded user is a provider"
    );

    for provider in providers {
        let user = read(&users, &provider.user_id).await;
        assert!(user.has_role(&Role::Provider));
        let details = user
            .provider_details
            .unwrap_or_else(|| panic!("{} has no provider details", provider.user_id));
        let born = details
            .date_of_birth
            .unwrap_or_else(|| panic!("unparsed: {:?}", details.date_of_birth_unparsed));
        assert_eq!(details.date_of_birth_unparsed, None);
        assert!(
            born > date(1900, 1, 1) && born < date(2010, 1, 1),
            "{born} is a plausible date of birth for a practitioner"
        );

        let hpii = details.hpii_number.as_deref().expect("an HPI-I");
        assert_eq!(hpii.len(), 16, "{hpii}");
        assert!(hpii.starts_with("800361"), "{hpii}");
        assert!(luhn_valid(hpii), "{hpii} fails the Luhn check");

        let provider_number = details.provider_number.as_deref().expect("a provider no.");
        assert_eq!(provider_number.len(), 8, "{provider_number}");
        assert!(
            provider_number.chars().all(|c| c.is_ascii_alphanumeric()),
            "{provider_number}"
        );
        assert!(
            medicare_provider_number_valid(provider_number),
            "{provider_number} has a wrong check character"
        );

        let prescriber_number = details.prescriber_number.as_deref().expect("a number");
        assert!(
            (1..=10).contains(&prescriber_number.len()),
            "{prescriber_number}"
        );
        assert!(details.prescriber_type.is_some());
        assert!(details.qualifications.is_some());
        assert!(details.sex.is_some());
        assert!(details.australian_address.is_some());
    }
}

#[tokio::test]
async fn a_non_provider_has_no_provider_details() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let receptionist = first_with_role(&users, Role::Receptionist).await;
    let user = read(&users, &receptionist.user_id).await;
    assert!(!user.has_role(&Role::Provider));
    assert_eq!(user.provider_details, None);

    let admin = read(&users, &fake.credentials().acting_user).await;
    assert_eq!(admin.roles, [Role::Admin]);
    assert_eq!(admin.provider_details, None);
}
