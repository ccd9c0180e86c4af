//! Realistic Australian-style identifiers for generated people: HPI-I numbers with a valid
//! Luhn check digit, Medicare-style provider numbers with their check character, prescriber
//! numbers, AHPRA registration numbers; for patients, Medicare card numbers with their check
//! digit and IHI-style numbers; and names and addresses to go with them.

use serde_json::{Map, Value, json};

const GIVEN_NAMES: &[&str] = &[
    "Darlene", "John", "Mei", "Aroha", "Priya", "Liam", "Olivia", "Nguyen", "Sofia", "Jack",
    "Amelia", "Noah", "Zara", "Ethan", "Chloe", "Arjun", "Isla", "Tom", "Grace", "Kai",
];
const FAMILY_NAMES: &[&str] = &[
    "Cameron", "Smith", "Chen", "Williams", "Patel", "Brown", "Nguyen", "Wilson", "Taylor",
    "Singh", "Martin", "Anderson", "Thompson", "White", "Walker", "Harris", "Lee", "King",
];
const SUBURBS: &[(&str, &str, &str)] = &[
    ("Melbourne", "VIC", "3000"),
    ("Sydney", "NSW", "2000"),
    ("Brisbane City", "QLD", "4000"),
    ("Perth", "WA", "6000"),
    ("Adelaide", "SA", "5000"),
    ("Hobart", "TAS", "7000"),
    ("Darwin City", "NT", "0800"),
    ("Canberra", "ACT", "2600"),
];

/// The Luhn check digit of `digits`.
fn luhn_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let d = d * 2;
                if d > 9 { d - 9 } else { d }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A 16-digit HPI-I (prefix 800361, Luhn-checked) for person `n`.
pub(crate) fn hpii(n: u64) -> String {
    let body = format!("800361{:09}", n % 1_000_000_000);
    format!("{body}{}", luhn_check_digit(&body))
}

/// A 16-digit IHI-style number (prefix 800360, Luhn-checked) for patient `n`.
pub(crate) fn ihi(n: u64) -> String {
    let body = format!("800360{:09}", n % 1_000_000_000);
    format!("{body}{}", luhn_check_digit(&body))
}

/// A 10-digit Medicare card number for patient `n`: eight digits (the first 2 to 6), the check
/// digit (weights 1, 3, 7, 9, 1, 3, 7, 9, modulo 10), and the issue number.
pub(crate) fn medicare_card_number(n: u64) -> String {
    const WEIGHTS: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    let stem = format!("{}{:07}", 2 + n % 5, n % 10_000_000);
    let check: u32 = stem
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum::<u32>()
        % 10;
    format!("{stem}{check}{}", 1 + n % 9)
}

/// A Medicare-style provider number for person `n`: six-digit stem, practice location
/// character, check character.
pub(crate) fn provider_number(n: u64) -> String {
    const LOCATIONS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUVWXY";
    const CHECKS: &[u8] = b"YXWTLKJHFBA";
    const WEIGHTS: [u32; 6] = [3, 5, 8, 4, 2, 1];
    let stem = format!("{:06}", 200_000 + n % 800_000);
    let location = (n % LOCATIONS.len() as u64) as usize;
    let sum: u32 = stem
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum::<u32>()
        + location as u32 * 6;
    format!(
        "{stem}{}{}",
        LOCATIONS[location] as char,
        CHECKS[(sum % 11) as usize] as char
    )
}

/// A seven-digit PBS prescriber number for person `n`.
pub(crate) fn prescriber_number(n: u64) -> String {
    format!("{:07}", 2_000_000 + n % 8_000_000)
}

/// An AHPRA registration number for person `n` (`MED` and ten digits).
pub(crate) fn ahpra_number(n: u64) -> String {
    format!("MED{:010}", 1_000_000 + n)
}

/// Person `n`'s address: suburb, state and postcode of a capital city, and a street number.
pub(crate) fn address(n: u64) -> (&'static str, &'static str, &'static str, String) {
    let (suburb, state, postcode) = SUBURBS[(n % SUBURBS.len() as u64) as usize];
    (suburb, state, postcode, format!("{}", 1 + n % 300))
}

/// Person `n`'s date of birth, `YYYY-MM-DD`.
pub(crate) fn date_of_birth(n: u64) -> String {
    format!("{}-{:02}-{:02}", 1950 + n % 45, 1 + n % 12, 1 + n % 28)
}

/// Person `n`'s sex on writes.
pub(crate) fn sex(n: u64) -> &'static str {
    ["F", "M", "I", "N"][(n % 4) as usize]
}

/// Person `n`'s mobile number.
pub(crate) fn phone(n: u64) -> String {
    format!("04{:08}", n % 100_000_000)
}

/// Person `n`'s names.
pub(crate) fn names(n: u64) -> (&'static str, &'static str) {
    let given = GIVEN_NAMES[(n % GIVEN_NAMES.len() as u64) as usize];
    let family =
        FAMILY_NAMES[((n / GIVEN_NAMES.len() as u64) % FAMILY_NAMES.len() as u64) as usize];
    (given, family)
}

/// Full provider details for person `n`, as a create or update would send them.
pub(crate) fn provider_details(n: u64) -> Map<String, Value> {
    let (given, family) = names(n);
    let (suburb, state, postcode, street_number) = address(n);
    let details = json!({
        "title": "Dr",
        "given_name": given,
        "family_name": family,
        "date_of_birth": date_of_birth(n),
        "sex": sex(n),
        "phone": phone(n),
        "hpii_number": hpii(n),
        "prescriber_type": "M",
        "prescriber_number": prescriber_number(n),
        "provider_number": provider_number(n),
        "ahpra_number": ahpra_number(n),
        "qualifications": "MBBS, FRACGP",
        "australian_address": {
            "street_number": street_number,
            "street_name": "Collins Street",
            "suburb": suburb,
            "state": state,
            "postcode": postcode,
        },
    });
    match details {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_valid(number: &str) -> bool {
        let (body, check) = number.split_at(number.len() - 1);
        check.parse::<u32>().ok() == Some(luhn_check_digit(body))
    }

    #[test]
    fn hpii_numbers_are_16_digits_with_a_valid_luhn_digit() {
        for n in [0, 1, 42, 99_999] {
            let number = hpii(n);
            assert_eq!(number.len(), 16);
            assert!(number.starts_with("800361"));
            assert!(luhn_valid(&number), "{number}");
        }
    }

    #[test]
    fn ihi_numbers_are_16_digits_with_the_800360_prefix_and_a_valid_luhn_digit() {
        for n in [0, 1, 42, 99_999] {
            let number = ihi(n);
            assert_eq!(number.len(), 16);
            assert!(number.starts_with("800360"));
            assert!(luhn_valid(&number), "{number}");
        }
    }

    #[test]
    fn medicare_numbers_carry_their_check_digit() {
        // A published example of a valid Medicare number.
        assert_eq!(&medicare_number_check("2123456701"), "0");
        for n in [0, 5, 77, 1_234_567] {
            let number = medicare_card_number(n);
            assert_eq!(number.len(), 10, "{number}");
            assert!(matches!(number.as_bytes()[0], b'2'..=b'6'), "{number}");
            assert_eq!(&number[8..9], medicare_number_check(&number), "{number}");
        }
    }

    fn medicare_number_check(number: &str) -> String {
        let sum: u32 = number[..8]
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip([1, 3, 7, 9, 1, 3, 7, 9])
            .map(|(d, w)| d * w)
            .sum();
        (sum % 10).to_string()
    }

    #[test]
    fn provider_numbers_are_eight_alphanumerics() {
        for n in [0, 7, 31, 32, 123_456] {
            let number = provider_number(n);
            assert_eq!(number.len(), 8, "{number}");
            assert!(
                number.chars().all(|c| c.is_ascii_alphanumeric()),
                "{number}"
            );
        }
    }
}
