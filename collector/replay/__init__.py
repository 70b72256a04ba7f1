"""The bundled demo stream and the tool that builds it from texts written by the authors."""
