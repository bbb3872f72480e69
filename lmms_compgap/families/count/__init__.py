"""Object counting: list the objects in a drawn scene (detection), then count the ones asked about.

Each image is a scene of 1 to 20 flat, upright shapes of named colours and two sizes, drawn apart from one
another on a light background. The question asks how many objects of a category there are (a colour and a
shape, a shape, or a colour). The intermediate (the visual skill's output) is the list of every object, one per
line as ``<colour> <shape>``, in reading order. Modules: `objects` (colours, shapes), `generate` (items),
`drawing` (pictures), `parse` (reading an object list), `prompts`, `family` (the declaration), `datacheck`
(the independent OpenCV check); the task card is README.md.
"""

from lmms_compgap.families.count.family import Count

FAMILY = Count()
