"""The service directory, in the shape of Open Referral HSDS 3.0."""
