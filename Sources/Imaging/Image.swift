import CCodecs
