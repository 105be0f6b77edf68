"""Faces in frames: box geometry and the crop rule, the detectors (YuNet from the install, the LBP
cascade only on request or without any YuNet file), where YuNet's file comes from, and the tracker that
follows faces through a video."""
