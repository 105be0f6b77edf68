"""`forgeloc compare`: a suspect against the source it was made from, not aligned beforehand.

The stages, one module each: `geometry` (the similarity or affine transform, mirror included, estimated
on what did not change), `timing` (frame fingerprints and the time mapping t_source = rate * t_suspect +
offset), `changes` (the mask procedure on an aligned frame pair, its cut set from the noise of the
matched background), `run` (decoding both clips and writing DIR atomically) and `report` (the HTML page).
"""
