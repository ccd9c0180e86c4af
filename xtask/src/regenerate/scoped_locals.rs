//! The locals of progenitor 0.15.1's send sequence, scoped so that they leave each method's
//! future once used.
//!
//! Every method ends with the same statements:
//!
//! ```text
//! self.pre(&mut request, &info).await?;
//! let result = self.exec(request, &info).await;
//! self.post(&result, &info).await?;
//! let response = result?;
//! match response.status().as_u16() { 200u16 => ResponseValue::from_response(response).await, .. }
//! ```
//!
//! rustc keeps a local in an `async fn`'s state from its first borrow to the end of its
//! scope, even once it has been moved out. `request`, `result` and `response` are each
//! borrowed once, so all three (536 bytes) stayed in the state while the body is read and
//! decoded, the method's largest await: a third of the method's future, held by every call
//! in flight. Each is rebound inside a block, which ends its storage where its use ends; the
//! statements and their order are otherwise unchanged.

use anyhow::{Result, bail};
use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};

/// Scopes the send sequence of every method of the generated client; fails if a method
/// sends in another shape, so that a progenitor upgrade cannot silently bring the state back.
pub(super) fn scope_send_locals(file: &mut syn::File) -> Result<()> {
    let mut scoper = Scoper::default();
    scoper.visit_file_mut(file);
    if scoper.unchanged > 0 {
        bail!(
            "progenitor's output changed: {} method(s) call `self.pre` outside the send \
             sequence this rewrite knows",
            scoper.unchanged
        );
    }
    if scoper.scoped == 0 {
        bail!("progenitor's output changed: no method sends with `self.pre(&mut request, ..)`");
    }
    Ok(())
}

#[derive(Default)]
struct Scoper {
    scoped: usize,
    unchanged: usize,
}

impl VisitMut for Scoper {
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        let sends = method
            .block
            .to_token_stream()
            .to_string()
            .contains("self . pre (");
        if sends {
            if scope_in(&mut method.block) {
                self.scoped += 1;
            } else {
                self.unchanged += 1;
            }
        }
        visit_mut::visit_impl_item_fn_mut(self, method);
    }
}

fn printed(stmt: &syn::Stmt) -> String {
    stmt.to_token_stream().to_string()
}

/// Rewrites the sequence in `block`; whether it was there, whole.
fn scope_in(block: &mut syn::Block) -> bool {
    let sequence: [syn::Stmt; 4] = [
        syn::parse_quote!(self.pre(&mut request, &info).await?;),
        syn::parse_quote!(let result = self.exec(request, &info).await;),
        syn::parse_quote!(self.post(&result, &info).await?;),
        syn::parse_quote!(let response = result?;),
    ];
    let expected: Vec<String> = sequence.iter().map(printed).collect();
    let found: Vec<String> = block.stmts.iter().map(printed).collect();
    let Some(start) = found
        .windows(expected.len())
        .position(|window| window == expected.as_slice())
    else {
        return false;
    };
    // The sequence is followed by the method's final `match` on the status.
    if start + expected.len() + 1 != block.stmts.len() {
        return false;
    }
    let Some(syn::Stmt::Expr(syn::Expr::Match(dispatch), None)) = block.stmts.last_mut() else {
        return false;
    };
    let status: syn::Expr = syn::parse_quote!(response.status().as_u16());
    if dispatch.expr.to_token_stream().to_string() != status.to_token_stream().to_string() {
        return false;
    }
    *dispatch.expr = syn::parse_quote!(status);
    let scoped: [syn::Stmt; 3] = [
        syn::parse_quote!(
            let request = {
                let mut request = request;
                self.pre(&mut request, &info).await?;
                request
            };
        ),
        syn::parse_quote!(
            let response = {
                let result = self.exec(request, &info).await;
                self.post(&result, &info).await?;
                result?
            };
        ),
        syn::parse_quote!(
            let (status, response) = {
                let response = response;
                (response.status().as_u16(), response)
            };
        ),
    ];
    block.stmts.splice(start..start + expected.len(), scoped);
    true
}

#[cfg(test)]
mod tests {
    use super::scope_send_locals;
    use quote::ToTokens;

    /// The end of one method of progenitor 0.15.1's client, as `generate_tokens` emits it.
    const CLIENT: &str = r#"
        impl Client {
            pub async fn read_user<'a>(&'a self, user_id: &'a str) -> Result<ResponseValue<types::User>, Error<types::ErrorResponse>> {
                let url = format!("{}/v1/users/{}", self.baseurl, encode_path(user_id));
                #[allow(unused_mut)]
                let mut request = self.client.get(url).build()?;
                let info = OperationInfo { operation_id: "read_user" };
                self.pre(&mut request, &info).await?;
                let result = self.exec(request, &info).await;
                self.post(&result, &info).await?;
                let response = result?;
                match response.status().as_u16() {
                    200u16 => ResponseValue::from_response(response).await,
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        }
    "#;

    fn scoped(source: &str) -> anyhow::Result<String> {
        let mut file: syn::File = syn::parse_str(source)?;
        scope_send_locals(&mut file)?;
        Ok(file.to_token_stream().to_string())
    }

    #[test]
    fn each_borrowed_local_is_rebound_in_a_block_and_the_status_matched_apart() {
        let printed = scoped(CLIENT).expect("the shape progenitor emits");
        let expected = concat!(
            "let request = { let mut request = request ; ",
            "self . pre (& mut request , & info) . await ? ; request } ; ",
            "let response = { let result = self . exec (request , & info) . await ; ",
            "self . post (& result , & info) . await ? ; result ? } ; ",
            "let (status , response) = { let response = response ; ",
            "(response . status () . as_u16 () , response) } ; ",
            "match status {"
        );
        assert!(printed.contains(expected), "{printed}");
        assert!(
            printed.contains("200u16 => ResponseValue :: from_response (response) . await"),
            "{printed}"
        );
    }

    #[test]
    fn another_shape_fails_the_regeneration() {
        let error = scoped(&CLIENT.replace("self.pre(", "self.before("))
            .expect_err("no send sequence is a changed shape");
        assert!(error.to_string().contains("self.pre"), "{error}");
        let reordered = CLIENT.replace(
            "self.post(&result, &info).await?;\n                let response = result?;",
            "let response = result?;",
        );
        let error = scoped(&reordered).expect_err("a partial sequence is a changed shape");
        assert!(error.to_string().contains("1 method(s)"), "{error}");
    }
}
