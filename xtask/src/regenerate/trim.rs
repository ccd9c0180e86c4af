//! Per-call work that progenitor 0.15.1 emits in every method of the client and Parchment's
//! contract does not need, removed from the syntax tree before it is printed:
//!
//! - An `api-version` header carrying the spec's `info.version`: a header map allocated,
//!   filled and merged into every request, only for the hooks to remove it again (Parchment
//!   defines no such header). Measured: about 1.5k instructions of a 129k read.
//! - `encode_path(&id.to_string())` for a `&str` path parameter: a copy of the id, then its
//!   encoding into another `String` through `Display`. parchment-api's own `encode_path`
//!   encodes the same characters (tested against progenitor's) and borrows an id that needs no
//!   encoding, as every valid Parchment id does.
//!
//! Each rewrite checks that it found what it removes: a progenitor that emits another shape
//! fails the regeneration instead of silently leaving the work in.

use anyhow::{Result, bail};
use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::BTreeSet;
use syn::visit_mut::{self, VisitMut};

/// The local progenitor builds the `api-version` header in.
const HEADER_MAP: &str = "header_map";
/// The name of the path encoder in progenitor's client and in parchment-api.
const ENCODE_PATH: &str = "encode_path";

/// Applies both rewrites to the generated client.
pub(super) fn trim_client(file: &mut syn::File) -> Result<()> {
    let mut trim = Trim::default();
    trim.visit_file_mut(file);
    if let Some(error) = trim.error {
        return Err(error);
    }
    if trim.headers_dropped == 0 {
        bail!("progenitor's output changed: no `api-version` header map found to drop");
    }
    if trim.segments_borrowed == 0 {
        bail!("progenitor's output changed: no `encode_path(&id.to_string())` found");
    }
    swap_path_encoder(file)?;
    let printed = file.to_token_stream().to_string();
    if printed.contains("\"api-version\"") {
        bail!("progenitor's output changed: an `api-version` header is left in a method");
    }
    Ok(())
}

#[derive(Default)]
struct Trim {
    headers_dropped: usize,
    segments_borrowed: usize,
    error: Option<anyhow::Error>,
}

impl VisitMut for Trim {
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        if drop_api_version_header(&mut method.block) {
            self.headers_dropped += 1;
        }
        let parameters = str_parameters(&method.sig);
        if !parameters.is_empty() {
            let before = self.segments_borrowed;
            let tokens = borrow_path_parameters(
                method.block.to_token_stream(),
                &parameters,
                &mut self.segments_borrowed,
            );
            if self.segments_borrowed > before {
                match syn::parse2(tokens) {
                    Ok(block) => method.block = block,
                    Err(error) => {
                        self.error.get_or_insert_with(|| {
                            anyhow::anyhow!("a rewritten method no longer parses: {error}")
                        });
                    }
                }
            }
        }
        visit_mut::visit_impl_item_fn_mut(self, method);
    }
}

/// Removes the `api-version` append from `block`, and the header map with it when nothing
/// else goes into it. Whether there was one.
fn drop_api_version_header(block: &mut syn::Block) -> bool {
    let before = block.stmts.len();
    block.stmts.retain(|stmt| !is_api_version_append(stmt));
    if block.stmts.len() == before {
        return false;
    }
    let still_used = block.stmts.iter().any(is_header_map_call);
    if !still_used {
        block.stmts.retain(|stmt| !is_header_map_local(stmt));
        MergeRemover.visit_block_mut(block);
    }
    true
}

fn is_header_map(expr: &syn::Expr) -> bool {
    matches!(expr, syn::Expr::Path(path) if path.path.is_ident(HEADER_MAP))
}

/// `header_map.<method>(..);`
fn header_map_call(stmt: &syn::Stmt) -> Option<&syn::ExprMethodCall> {
    match stmt {
        syn::Stmt::Expr(syn::Expr::MethodCall(call), _) if is_header_map(&call.receiver) => {
            Some(call)
        }
        _ => None,
    }
}

fn is_header_map_call(stmt: &syn::Stmt) -> bool {
    header_map_call(stmt).is_some()
}

fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    header_map_call(stmt).is_some_and(|call| {
        call.method == "append"
            && call
                .to_token_stream()
                .to_string()
                .contains("\"api-version\"")
    })
}

fn is_header_map_local(stmt: &syn::Stmt) -> bool {
    matches!(stmt, syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(pat) if pat.ident == HEADER_MAP))
}

/// Replaces `<request builder>.headers(header_map)` by the builder.
struct MergeRemover;

impl VisitMut for MergeRemover {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && call.args.first().is_some_and(is_header_map)
        {
            *expr = (*call.receiver).clone();
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// The names of the method's `&str` (or `&'a str`) parameters.
fn str_parameters(signature: &syn::Signature) -> BTreeSet<String> {
    signature
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => Some(typed),
            syn::FnArg::Receiver(_) => None,
        })
        .filter(|typed| {
            matches!(&*typed.ty, syn::Type::Reference(reference)
                if matches!(&*reference.elem, syn::Type::Path(path) if path.path.is_ident("str")))
        })
        .filter_map(|typed| match &*typed.pat {
            syn::Pat::Ident(pat) => Some(pat.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Rewrites `encode_path(&p.to_string())` to `encode_path(p)` for the `&str` parameters
/// `parameters`, at the token level: the calls sit inside `format!`, whose arguments syn keeps
/// as tokens.
fn borrow_path_parameters(
    tokens: TokenStream,
    parameters: &BTreeSet<String>,
    rewritten: &mut usize,
) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Ident(ident) if ident == ENCODE_PATH => {
                out.push(TokenTree::Ident(ident));
                let copied = match trees.peek() {
                    Some(TokenTree::Group(args)) if args.delimiter() == Delimiter::Parenthesis => {
                        copied_parameter(args.stream(), parameters).map(|name| (name, args.span()))
                    }
                    _ => None,
                };
                if let Some((name, span)) = copied {
                    trees.next();
                    let mut args = Group::new(
                        Delimiter::Parenthesis,
                        TokenStream::from(TokenTree::Ident(name)),
                    );
                    args.set_span(span);
                    out.push(TokenTree::Group(args));
                    *rewritten += 1;
                }
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(
                    group.delimiter(),
                    borrow_path_parameters(group.stream(), parameters, rewritten),
                );
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// `p` when `args` is `& p . to_string ()` and `p` is one of `parameters`.
fn copied_parameter(args: TokenStream, parameters: &BTreeSet<String>) -> Option<Ident> {
    let trees: Vec<TokenTree> = args.into_iter().collect();
    match trees.as_slice() {
        [
            TokenTree::Punct(reference),
            TokenTree::Ident(name),
            TokenTree::Punct(dot),
            TokenTree::Ident(method),
            TokenTree::Group(call),
        ] if reference.as_char() == '&'
            && dot.as_char() == '.'
            && method == "to_string"
            && call.delimiter() == Delimiter::Parenthesis
            && call.stream().is_empty()
            && parameters.contains(&name.to_string()) =>
        {
            Some(name.clone())
        }
        _ => None,
    }
}

/// Imports parchment-api's `encode_path` in place of progenitor's.
fn swap_path_encoder(file: &mut syn::File) -> Result<()> {
    let removed = file.items.iter_mut().any(|item| {
        let syn::Item::Use(item) = item else {
            return false;
        };
        let syn::UseTree::Path(root) = &mut item.tree else {
            return false;
        };
        let syn::UseTree::Group(group) = &mut *root.tree else {
            return false;
        };
        if root.ident != "progenitor_client" {
            return false;
        }
        let before = group.items.len();
        group.items = std::mem::take(&mut group.items)
            .into_iter()
            .filter(|tree| !matches!(tree, syn::UseTree::Name(name) if name.ident == ENCODE_PATH))
            .collect();
        group.items.len() < before
    });
    if !removed {
        bail!("progenitor's output changed: no `use progenitor_client::{{encode_path, ..}}` found");
    }
    file.items.insert(
        0,
        syn::parse_quote!(
            use crate::path_segment::encode_path;
        ),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::trim_client;
    use quote::ToTokens;

    /// The shape of one method of progenitor 0.15.1's client, as `generate_tokens` emits it.
    const CLIENT: &str = r#"
        use progenitor_client::{encode_path, ClientHooks, OperationInfo, RequestBuilderExt};
        impl Client {
            pub async fn read_user<'a>(&'a self, organization_id: &'a str, user_id: &'a str, limit: Option<u32>) -> Result<(), ()> {
                let url = format!("{}/v1/organizations/{}/users/{}", self.baseurl,
                    encode_path(&organization_id.to_string()), encode_path(&limit.to_string()));
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                let mut request = self.client.get(url).headers(header_map).build()?;
                Ok(())
            }
        }
    "#;

    fn trimmed(source: &str) -> anyhow::Result<String> {
        let mut file: syn::File = syn::parse_str(source)?;
        trim_client(&mut file)?;
        Ok(file.to_token_stream().to_string())
    }

    #[test]
    fn drops_the_header_and_borrows_str_parameters_only() {
        let printed = trimmed(CLIENT).expect("the shape progenitor emits");
        assert!(!printed.contains("api-version"), "{printed}");
        assert!(!printed.contains("header_map"), "{printed}");
        assert!(
            printed.contains("encode_path (organization_id)"),
            "{printed}"
        );
        // Not a `&str`: its text is still made first.
        assert!(
            printed.contains("encode_path (& limit . to_string ())"),
            "{printed}"
        );
        assert!(
            printed.contains("use crate :: path_segment :: encode_path"),
            "{printed}"
        );
        assert!(
            printed.contains("use progenitor_client :: { ClientHooks"),
            "{printed}"
        );
    }

    #[test]
    fn another_shape_fails_the_regeneration() {
        let without_header = CLIENT.replace("\"api-version\"", "\"x-other\"");
        let error = trimmed(&without_header).expect_err("nothing to drop is a changed shape");
        assert!(error.to_string().contains("api-version"), "{error}");
        let without_copies = CLIENT.replace("&organization_id.to_string()", "organization_id");
        let error = trimmed(&without_copies).expect_err("no copy to remove is a changed shape");
        assert!(error.to_string().contains("encode_path"), "{error}");
    }
}
