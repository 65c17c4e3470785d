#!/bin/sh
# Regenerates the committed mux test clip with Debian's ffmpeg (apt-get install -y ffmpeg). Run from this folder.
# Committed so that tests need no ffmpeg.
set -e
FF="ffmpeg -hide_banner -loglevel error -y"
# H.264 High with B-frames plus an AAC stereo track that the mux must replace; moov at the end.
$FF -f lavfi -i testsrc2=size=160x120:rate=24 -f lavfi -i sine=frequency=330:sample_rate=44100:duration=1.5 -t 1.5 \
    -c:v libx264 -pix_fmt yuv420p -profile:v high -bf 2 -g 12 -bitexact -map_metadata -1 \
    -c:a aac -ac 2 -b:a 64k -bitexact with_audio.mp4
