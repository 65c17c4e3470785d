#!/bin/sh
# Regenerates the committed mux test clip with Debian's ffmpeg (apt-get install -y ffmpeg). Run from this folder.
# Committed so that tests need no ffmpeg.
set -e
FF="ffmpeg -hide_banner -loglevel error -y"
# H.264 High with B-frames plus an AAC stereo track that the mux must replace; moov at the end.
$FF -f lavfi -i testsrc2=size=160x120:rate=24 -f lavfi -i sine=frequency=330:sample_rate=44100:duration=1.5 -t 1.5 \
    -c:v libx264 -pix_fmt yuv420p -profile:v high -bf 2 -g 12 -bitexact -map_metadata -1 \
    -c:a aac -ac 2 -b:a 64k -bitexact with_audio.mp4
# Baseline video plus a mov_text subtitle track (kept and copied as it is); subs.srt is two cues in 1.5 s.
printf '1\n00:00:00,000 --> 00:00:00,800\nhello\n\n2\n00:00:00,900 --> 00:00:01,400\nworld\n' > subs.srt
$FF -f lavfi -i testsrc2=size=96x64:rate=10 -i subs.srt -t 1.5 -map 0:v -map 1:s \
    -c:v libx264 -pix_fmt yuv420p -profile:v baseline -bitexact -map_metadata -1 -c:s mov_text -bitexact with_subs.mp4
rm subs.srt
