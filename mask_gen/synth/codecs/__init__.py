"""How media is stored, as albumentations transforms for synthetic sets and training crops: JPEG and
H.264 round trips (stills, clips, footage at the face's own size) and the one perturbation registry."""
