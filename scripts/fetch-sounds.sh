#!/usr/bin/env bash
# Fetches real sound-effect recordings from Debian packages for the sound-template path (idempotent; nothing is
# copied into git). No root needed: `apt-get download` + `dpkg-deb -x`, nothing is installed.
#   minetest-data            3.6 MB .deb  footsteps (dirt, grass, gravel, sand, snow, wood, metal, glass, water, ice),
#                                         doors and gates, glass breaking, digging, metal, wood chopping, fire,
#                                         water ambience, an explosion. CC-BY-SA-3.0, CC-BY-3.0, CC0-1.0, MIT.
#   sound-theme-freedesktop  0.4 MB .deb  bells, clicks, a camera shutter, trash. CC-BY(-SA)-3.0, GPL-2+.
# Layout: DIR/<package>/<the package's own paths>, keeping only sound files (.ogg .oga .wav, and the links among
# them), the package's usr/share/doc/*/copyright and upstream README/licence files next to the sound folders
# (they name each file's author and licence). io.foley4j.pipeline.sounds.SoundLibrary indexes this layout.
# Usage: scripts/fetch-sounds.sh [DIR]   (default: .cache/sounds under the repository root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
packages=(minetest-data sound-theme-freedesktop)
if [ $# -ge 1 ]; then
    dest="$1"
else
    dest="$root/.cache/sounds"
    mkdir -p "$root/.cache"
    # the folder ignores itself, so no root .gitignore entry is needed
    [ -f "$root/.cache/.gitignore" ] || echo "*" > "$root/.cache/.gitignore"
fi
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

for pkg in "${packages[@]}"; do
    if [ -d "$dest/$pkg" ]; then
        echo "$pkg: present, skipped"
        continue
    fi
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        echo "$pkg: unknown to apt-cache (the package lists are empty? run apt-get update as root once)" >&2
        exit 1
    fi
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>"$tmp/apt.err") || { cat "$tmp/apt.err" >&2; exit 1; }
    deb=$(ls "$tmp"/*.deb)
    dpkg-deb -x "$deb" "$tmp/x"
    mkdir -p "$tmp/keep"
    (
        cd "$tmp/x"
        {
            find . \( -type f -o -type l \) \( -iname '*.ogg' -o -iname '*.oga' -o -iname '*.wav' \) \
                -not -path '*/devtest/*' -print0 # devtest: the engine's test tones
            find ./usr/share/doc -path '*/copyright' -type f -print0 2>/dev/null || true
            # upstream notes beside each folder that holds sounds: .../mods/doors/{README.txt,license.txt}
            find . -type f \( -iname '*.ogg' -o -iname '*.oga' -o -iname '*.wav' \) -printf '%h\n' | sort -u |
                while read -r d; do
                    for p in "$d" "$(dirname "$d")"; do
                        find "$p" -maxdepth 1 -type f \( -iname 'readme*' -o -iname 'licen[cs]e*' -o -iname 'copying*' \) -print0
                    done
                done
        } | sort -zu | tar --null -cf - -T - | tar -xf - -C "$tmp/keep"
    )
    mv "$tmp/keep" "$dest/$pkg" # a package folder appears complete or not at all
    version=$(dpkg-deb -f "$deb" Version)
    size=$(stat -c %s "$deb")
    count=$(find "$dest/$pkg" \( -type f -o -type l \) \( -iname '*.ogg' -o -iname '*.oga' -o -iname '*.wav' \) | wc -l)
    echo "$pkg $version: fetched $size bytes (.deb), kept $count sound files, $(du -sh "$dest/$pkg" | cut -f1)"
    rm -rf "$tmp"
    trap - EXIT
done

echo "sounds in $dest:"
for pkg in "${packages[@]}"; do
    count=$(find "$dest/$pkg" \( -type f -o -type l \) \( -iname '*.ogg' -o -iname '*.oga' -o -iname '*.wav' \) | wc -l)
    licences=$(grep -h '^License:' "$dest/$pkg"/usr/share/doc/*/copyright 2>/dev/null | sed 's/^License: *//' |
        sort -u | paste -sd, - | sed 's/,/, /g')
    echo "  $pkg: $count sound files; licences its copyright file names (for the whole source package): $licences"
done
echo "per-file authors and licences: the copyright files and the README/licence files kept beside the sounds"
