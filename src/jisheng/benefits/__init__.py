"""Benefits (利益导向): programs, eligibility, applications, payments, re-verification, visits."""
