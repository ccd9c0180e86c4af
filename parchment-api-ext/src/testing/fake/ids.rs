//! Ids the fake hands out: UUID-shaped patient and drug ids and Script IDs (SCIDs), each made
//! from a counter (unique, in creation order) and the organization's namespace.

/// A UUID-shaped id (version 4 layout) for record `n` of kind `kind` in `namespace`; ids of
/// one kind sort in creation order.
pub(super) fn uuid_like(namespace: u32, kind: u16, n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (n >> 16) as u32,
        n & 0xffff,
        kind & 0xfff,
        namespace & 0xfff,
        u64::from(namespace) << 20 | 0x5eed,
    )
}

/// An 18-character Script ID like Parchment's (`2F3WFX8J4WQH8T72X9`) for prescription `n`:
/// distinct for distinct `n` (the counter is mixed by a bijection before it is written).
pub(super) fn scid(namespace: u32, n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    // An odd multiplier is a bijection on u64, so distinct counters give distinct codes.
    let mut value = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(namespace);
    let mut code = [b'0'; 18];
    for slot in code.iter_mut().rev() {
        *slot = ALPHABET[(value % ALPHABET.len() as u64) as usize];
        value /= ALPHABET.len() as u64;
    }
    String::from_utf8_lossy(&code).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{scid, uuid_like};
    use std::collections::HashSet;

    #[test]
    fn ids_are_distinct_and_shaped() {
        let scids: HashSet<String> = (0..10_000).map(|n| scid(0, n)).collect();
        assert_eq!(scids.len(), 10_000);
        assert!(scids.iter().all(|s| s.len() == 18));
        let a = uuid_like(1, 2, 1);
        let b = uuid_like(1, 2, 2);
        assert_eq!(a.len(), 36);
        assert!(a < b);
    }
}
