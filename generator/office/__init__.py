"""Official documents: settings, templating, documents (compose and render), layout, numbering, the register,
issuance (the whole issuing sequence), the ledger and the yearly compilation."""
