"""What staff do: sign in with roles and audit (``staff_auth``), their working day
(``staff_day``) and the contact centre booking for callers (``contact_centre``)."""
