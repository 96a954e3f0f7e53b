"""The accreditation register: assessor profiles, accreditations and conflicts of interest."""
