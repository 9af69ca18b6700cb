//! Where an upstream URL points: every URL the client or the wall builds for
//! an upstream goes through [`base`] and [`resolve`], RFC 3986 reference
//! resolution by the `url` crate (`Url::join`), never string joining (issue 18:
//! a gateway that sent `vnet/v1/…` made the proxy ask for
//! `http://host:portvnet/…`).
//!
//! The configured base (`governance_url`, `video_url`) names a directory: the
//! upstream lives there and below. Under RFC 3986 a base without a trailing
//! slash loses its last segment when a relative reference is resolved
//! against it (`http://h/gw` + `vnet/x` is `http://h/vnet/x`), so [`base`]
//! appends the slash the configuration may have left out; `http://h/gw` and
//! `http://h/gw/` mean the same. Query and fragment of a configured base are
//! dropped: they would not survive resolution anyway.
//!
//! What each kind of reference from upstream becomes, against `http://h/gw/`:
//!
//! | reference | resolves to |
//! |---|---|
//! | `vnet/v1/c/1/snapshot.jpg` | `http://h/gw/vnet/v1/c/1/snapshot.jpg` |
//! | `/vnet/v1/c/1/snapshot.jpg` | `http://h/vnet/v1/c/1/snapshot.jpg` (from the host's root) |
//! | `../media/1.jpg` | `http://h/media/1.jpg` |
//! | `http://media:8554/1.mjpeg?token=t` | itself: another host and port, query kept |
//!
//! The client's own paths (`api/v1/events`, `vnet/v1/cameras`) are written
//! without a leading slash, so an upstream mounted under a prefix keeps it.
//! A `token` query parameter on a reference survives resolution unchanged;
//! the resulting URL is a secret like the token and is never logged (errors
//! here name the base only).
//!
//! Neither contract has `next` links: pages are followed with
//! `next_page_token` and `next_since`, added as query parameters through
//! `Url::query_pairs_mut`, which percent-encodes them.

pub use url::Url;

/// Why an upstream URL could not be made. Names the base, never the
/// reference (which may carry a token).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("{base:?} is not a URL: {reason}")]
    Base {
        base: String,
        reason: url::ParseError,
    },
    #[error("{base:?} cannot be a base URL: use an http or https URL")]
    NotBase { base: String },
    #[error("a URL from the upstream at {base} does not resolve: {reason}")]
    Reference { base: Url, reason: url::ParseError },
}

/// The configured base URL of an upstream, as a directory (see the module's notes).
pub fn base(configured: &str) -> Result<Url, AddressError> {
    let url = Url::parse(configured.trim()).map_err(|reason| AddressError::Base {
        base: configured.to_owned(),
        reason,
    })?;
    as_directory(url).ok_or_else(|| AddressError::NotBase {
        base: configured.to_owned(),
    })
}

/// `url` with a path that ends in `/`, and no query or fragment; `None` for
/// a URL that cannot be a base (`mailto:`, `data:`).
pub fn as_directory(mut url: Url) -> Option<Url> {
    if url.cannot_be_a_base() {
        return None;
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Some(url)
}

/// `reference` (a URL an upstream sent, or one of the client's own paths)
/// resolved against `base` as RFC 3986 says.
pub fn resolve(base: &Url, reference: &str) -> Result<Url, AddressError> {
    base.join(reference.trim())
        .map_err(|reason| AddressError::Reference {
            base: base.clone(),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(base_url: &str, reference: &str) -> String {
        resolve(&base(base_url).unwrap(), reference)
            .unwrap()
            .to_string()
    }

    #[test]
    fn relative_references_resolve_as_rfc_3986_says() {
        for base_url in ["http://127.0.0.1:8080", "http://127.0.0.1:8080/"] {
            assert_eq!(
                resolved(base_url, "vnet/v1/cameras/1/snapshot.jpg"),
                "http://127.0.0.1:8080/vnet/v1/cameras/1/snapshot.jpg",
                "without a leading slash (the issue's `portvnet`)"
            );
            assert_eq!(
                resolved(base_url, "/vnet/v1/cameras/1/snapshot.jpg"),
                "http://127.0.0.1:8080/vnet/v1/cameras/1/snapshot.jpg"
            );
        }
        for base_url in ["http://h/gw", "http://h/gw/", "http://h/gw?x=1#f"] {
            assert_eq!(resolved(base_url, "vnet/v1/c"), "http://h/gw/vnet/v1/c");
            assert_eq!(resolved(base_url, "/vnet/v1/c"), "http://h/vnet/v1/c");
            assert_eq!(resolved(base_url, "../media/1.jpg"), "http://h/media/1.jpg");
            assert_eq!(resolved(base_url, "./a/../b"), "http://h/gw/b");
        }
        assert_eq!(
            resolved("http://h/a/b/", "../../../x"),
            "http://h/x",
            "`..` never climbs above the root"
        );
    }

    #[test]
    fn absolute_references_keep_their_host_port_and_query() {
        assert_eq!(
            resolved("http://h:8080/gw", "http://h:8080/vnet/1.mjpeg"),
            "http://h:8080/vnet/1.mjpeg"
        );
        assert_eq!(
            resolved(
                "http://h:8080/gw",
                "http://media.example:8554/live/1.mjpeg?token=a%2Fb"
            ),
            "http://media.example:8554/live/1.mjpeg?token=a%2Fb"
        );
        assert_eq!(
            resolved("https://h/", "//cdn.example:9443/1.jpg?token=t"),
            "https://cdn.example:9443/1.jpg?token=t",
            "a network-path reference takes the base's scheme"
        );
    }

    #[test]
    fn a_token_in_the_query_survives_and_never_reaches_an_error() {
        let url = resolve(
            &base("http://h/").unwrap(),
            "vnet/v1/c/1/live.mjpeg?token=s3cr3t+%2B&x=1",
        )
        .unwrap();
        assert_eq!(url.query(), Some("token=s3cr3t+%2B&x=1"));
        assert_eq!(
            url.query_pairs().find(|(k, _)| k == "token").unwrap().1,
            "s3cr3t +"
        );
        let error = resolve(&base("http://h/").unwrap(), "http://[::1?token=s3cr3t").unwrap_err();
        assert!(!error.to_string().contains("s3cr3t"), "{error}");
    }

    #[test]
    fn a_base_must_be_a_url_that_can_be_one() {
        assert!(base("host:8080/x y").is_err());
        assert!(matches!(base("not a url"), Err(AddressError::Base { .. })));
        assert!(matches!(
            base("mailto:a@b"),
            Err(AddressError::NotBase { .. })
        ));
    }
}
