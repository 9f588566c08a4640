"""Free pre-pregnancy checks (免费孕前优生健康检查): couples, contacts, checkups, follow-ups."""
