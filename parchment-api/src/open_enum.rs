//! `open_enum!`: a string enum that keeps values it does not know.
//!
//! Parchment adds roles and codes over time; a closed enum would turn one new value into a
//! failure of the whole response. Every server-defined enum of this crate is written with this
//! macro so that they all behave alike: known values as variants, anything else as
//! `Unknown(UnknownValue)`, the wire spelling both ways through `as_str`/`FromStr`/serde.
//!
//! Every value parses through one constructor (`FromStr`, which `From<&str>` and serde use), and
//! [`UnknownValue`] has a private field: `Role::Unknown` can hold only a value that is not a
//! known role, so `"admin"` is always `Role::Admin`, never an unknown that compares unequal.

/// A value an open enum does not know, kept as the server sent it. Made only by parsing, so it
/// never holds a known value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value, as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the open enums' parser makes one, after every known value failed to match.
    pub(crate) fn after_known_values_failed(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl ::std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! open_enum {
    // Exact spelling on read (roles, sex, prescriber type: the server writes them one way).
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        open_enum!(@common $(#[$meta])* $name { $( $(#[$variant_meta])* $variant = $wire, )+ });

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            /// Never fails: an unlisted value becomes `Unknown`.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown($crate::UnknownValue::after_known_values_failed(other)),
                })
            }
        }
    };
    // Any case on read, with other spellings the reference uses (`gold` for `G`): for values
    // Parchment's pages spell more than one way. Writes send the first spelling.
    (
        case_insensitive;
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal $(| $alias:literal)*, )+
        }
    ) => {
        open_enum!(@common $(#[$meta])* $name { $( $(#[$variant_meta])* $variant = $wire, )+ });

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            /// Never fails: compared without regard to ASCII case; an unlisted value becomes
            /// `Unknown`, kept as sent.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                // The spelling Parchment usually sends, first: one comparison per value.
                match value {
                    $( $wire => return Ok($name::$variant), )+
                    _ => {}
                }
                let trimmed = value.trim();
                $(
                    if trimmed.eq_ignore_ascii_case($wire)
                        $(|| trimmed.eq_ignore_ascii_case($alias))*
                    {
                        return Ok($name::$variant);
                    }
                )+
                Ok($name::Unknown($crate::UnknownValue::after_known_values_failed(value)))
            }
        }
    };
    (
        @common
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version of the SDK does not know, kept as the server sent it. Only
            /// parsing makes one (see [`UnknownValue`](crate::UnknownValue)).
            Unknown($crate::UnknownValue),
        }

        impl $name {
            /// Every value this version of the SDK knows, in the order the reference lists them.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as it is spelled on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                let Ok(parsed) = value.parse();
                parsed
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let expecting = concat!("for ", stringify!($name));
                $crate::text_value::parse_str(deserializer, expecting, |text| {
                    Ok::<_, ::std::convert::Infallible>($name::from(text))
                })
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            /// An open string: the known values are documented, not enforced.
            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                let known: Vec<&str> = vec![$($wire),+];
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(format!(
                            "Open {}: known values are {}; others are kept as they come.",
                            stringify!($name),
                            known.join(", ")
                        )),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

pub(crate) use open_enum;
