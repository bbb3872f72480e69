"""`compgap doctor`: can this environment run a compgap evaluation? One module per group of checks: the Python
environment (`environment`), what an evaluation runs (`evaluation`), the machine (`machine`); `check` is one
finding, `command` runs them all and prints them."""
