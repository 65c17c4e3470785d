#!/bin/sh
# Regenerates the committed test clips with Debian's ffmpeg (apt-get install -y ffmpeg). Run from this folder.
# The clips are committed so that tests need no ffmpeg; the reference data comes from make_reference.py.
set -e
FF="ffmpeg -hide_banner -loglevel error -y"
SRC="-f lavfi -i testsrc2=size=320x240:rate=25 -t 2"
X264="-c:v libx264 -pix_fmt yuv420p -preset medium -bitexact -map_metadata -1"
# Baseline: I and P only, GOP of 12, index (moov) ahead of the data.
$FF $SRC $X264 -profile:v baseline -g 12 -movflags +faststart baseline.mp4
# High: CABAC, 8x8 transform, 3 B-frames with a B-pyramid (decode order differs from display order), GOP of 20.
$FF $SRC $X264 -profile:v high -bf 3 -b_strategy 0 -g 20 -keyint_min 20 high.mp4
# Variable frame rate, a size that is not a multiple of 16 (SPS cropping), QuickTime container, 90 kHz timescale:
# keep frames 0,1,2,4,5,8,9,13,... of a 30 fps source so frame durations vary between 1/30 and 4/30 s.
$FF -f lavfi -i testsrc2=size=330x186:rate=30 -t 2 \
    -vf "select='lt(mod(n\,7)\,3)+eq(mod(n\,11)\,4)',setpts=PTS-STARTPTS" -fps_mode vfr \
    $X264 -profile:v main -bf 2 -g 9 -video_track_timescale 90000 vfr.mov
# Bad input: a 10-bit, a 4:2:2 and an HEVC clip (unsupported), an audio-only file.
TINY="-f lavfi -i testsrc2=size=64x64:rate=10 -t 0.3"
$FF $TINY -c:v libx264 -pix_fmt yuv420p10le -profile:v high10 -bitexact high10.mp4
$FF $TINY -c:v libx264 -pix_fmt yuv422p -profile:v high422 -bitexact yuv422.mp4
$FF $TINY -c:v libx265 -pix_fmt yuv420p -x265-params log-level=error -bitexact hevc.mp4
$FF -f lavfi -i sine=frequency=440:duration=0.3 -c:a aac -bitexact audio_only.m4a
