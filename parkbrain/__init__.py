"""ParkBrain (园区产业大脑): the digital platform of an economic development zone."""
