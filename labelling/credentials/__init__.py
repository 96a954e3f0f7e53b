"""Labels as signed, portable credentials (Open Badges 3.0 / W3C Verifiable Credentials,
VC-JWT with Ed25519), the bodies' public keys, and the status lists that revoke them."""
