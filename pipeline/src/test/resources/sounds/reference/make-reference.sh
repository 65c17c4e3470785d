#!/usr/bin/env bash
# Regenerates the Ogg Vorbis decoding references (run from anywhere; needs apt-get and ffmpeg, no root):
#  *.oggdec.wav  Debian's oggdec (vorbis-tools 1.4.2 over libvorbisfile, the reference decoder): 16-bit PCM, cut
#                at the last page's granule position as the Vorbis spec defines the stream's end.
#  *.ffmpeg.wav  ffmpeg 5.1's own Vorbis decoder (independent of libvorbis and JOrbis): 32-bit float, so values
#                compare at full precision. ffmpeg 5.1 does not cut the final block at the granule position, so it
#                is used only where the two lengths agree (bell.oga).
set -euo pipefail
cd "$(dirname "$0")"
L=../library
DOOR="$L/minetest-data/usr/share/games/minetest/games/minetest_game/mods/doors/sounds/doors_glass_door_open.ogg"
BELL="$L/sound-theme-freedesktop/usr/share/sounds/freedesktop/stereo/bell.oga"
OGGDEC=$(command -v oggdec || true)
if [ -z "$OGGDEC" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && apt-get download vorbis-tools >/dev/null && dpkg-deb -x vorbis-tools_*.deb x)
    OGGDEC="$tmp/x/usr/bin/oggdec"
fi
"$OGGDEC" --version
"$OGGDEC" -Q -b 16 -o bell.oggdec.wav "$BELL"
"$OGGDEC" -Q -b 16 -o doors_glass_door_open.oggdec.wav "$DOOR"
ffmpeg -version | head -1
ffmpeg -v error -y -i "$BELL" -c:a pcm_f32le bell.ffmpeg.wav
