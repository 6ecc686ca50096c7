"""Who is who in the demo municipality (sandbox/seed/demo.yaml), for tests."""

BURGEMEESTER = "ingrid.zwanenburg@zeeveen.nl"
GEMEENTESECRETARIS = "maarten.oosterveld@zeeveen.nl"
WETHOUDERS = (
    "joost.brinkhorst@zeeveen.nl",
    "fatima.elamrani@zeeveen.nl",
    "pieterjan.hoekstra@zeeveen.nl",
)
# Team A serves the burgemeester and the gemeentesecretaris; team B the wethouders.
SECRETARY_A = "monique.verschuren@zeeveen.nl"
SECRETARY_A_FRIDAY = "ellen.dijkhuis@zeeveen.nl"
SECRETARY_B = "karin.molenaar@zeeveen.nl"
SECRETARY_B_THU_FRI = "ruben.stapel@zeeveen.nl"
STAFF = "lotte.vermeulen@zeeveen.nl"
ADMIN = "dennis.vos@zeeveen.nl"
