"""Media in and out: image files, videos through PyAV (probe, decode, seek, deinterlace, encode), both
behind one reader, and which frames to sample. RGB uint8 HxWx3 at every boundary."""
