"""Self-blends of real faces (SBI): indexed folders of real photos and video frames, the blend itself,
where the face sits in its frame, the looks and degradations of video, and the sampler that makes a
fresh real/fake pair of crops at every draw."""
