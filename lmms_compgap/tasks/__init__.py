"""The seam with lmms-eval, as lmms-eval has `tasks/` beside `models/`: the functions the task YAMLs name
(`hooks`), the YAML writer (`writer`, `compgap tasks build` in `command`) and reader (`reader`, as lmms-eval
reads them), stale copies of our tasks that shadow the installed ones (`shadowing`), and the installed tasks'
data and metadata (`installed`)."""
