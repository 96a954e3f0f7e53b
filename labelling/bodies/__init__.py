"""Labelling bodies: the European secretariat and national partner organisations, each with
its countries, the levels it assesses and decides, its staff and its assessor pool."""
