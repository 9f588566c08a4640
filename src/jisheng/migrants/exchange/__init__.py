"""The exchange between instances (信息共享、区域协作): peers, signed messages, the
transactional outbox and the idempotent inbox."""
