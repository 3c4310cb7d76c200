#!/usr/bin/env bash
# Regenerates Parley's shipped prompts and music on hold:
#   prompts/<lang>/<name>.wav  every entry of src/media/prompts/catalogue.ts (the one source of
#                              truth), spoken by espeak-ng and shaped by sox
#   prompts/moh/default.wav    a generated (not downloaded, so royalty-free) loop of soft chords
# Every file is Parley's prompt format: 8 kHz mono G.711 mu-law WAV (format tag 7), ~8 KB/s.
# The output is committed, so Parley plays it without espeak-ng or sox installed. Runs in a few
# seconds; the same tools give the same bytes (sox -R: fixed seeds; -D: no dither).
# Needs: node (with the repo's devDependencies, for tsx), espeak-ng, sox.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in espeak-ng sox node; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export work

# Speech: en-us at 160 words/min; the Mandarin voice speaks slowly, so it runs faster.
# sox: cut the synthesiser's silence at both ends (below -45 dBFS for 20 ms), leave 50 ms of
# silence either side, resample to 8 kHz, peak at -3 dBFS, encode mu-law.
speak() {
  local lang=$1 name=$2 text=$3 voice speed
  case "$lang" in
    en) voice=en-us speed=160 ;;
    zh) voice=cmn speed=190 ;;
    *) echo "make-prompts: no voice for language $lang" >&2; return 1 ;;
  esac
  local raw="$work/$lang-$name.wav"
  printf '%s' "$text" | espeak-ng -v "$voice" -s "$speed" --stdin -w "$raw"
  sox -D -R "$raw" -e u-law -b 8 -c 1 "prompts/$lang/$name.wav" \
    silence 1 0.02 -45d reverse silence 1 0.02 -45d reverse \
    gain -n -6 rate 8000 gain -n -3 pad 0.05 0.05
}
export -f speak

rm -rf prompts/en prompts/zh prompts/moh
mkdir -p prompts/en prompts/zh prompts/moh

# The catalogue as NUL-separated (lang, name, text) triples, two synthesisers at a time.
node --import tsx --input-type=module -e '
  const { PROMPTS, LANGUAGES } = await import("./src/media/prompts/catalogue.ts");
  for (const [name, texts] of Object.entries(PROMPTS))
    for (const lang of LANGUAGES) if (texts[lang]) process.stdout.write(`${lang}\0${name}\0${texts[lang]}\0`);
' | xargs -0 -n 3 -P 2 bash -c 'speak "$@"' _

# Music on hold: eight chords of five seconds (40 s) in C major, each a pad of four sine voices
# with slow fades that overlap the next chord, under an arpeggio of soft triangle plucks in the
# octave above. Frequencies are semitones from A4 (sox "%n"), kept between ~200 Hz and ~1 kHz,
# inside the telephone band. The reverb tail and the last chord's fade that run past 40 s are
# mixed back onto the start, so the loop has no seam.
chords=(
  "-9 -5 -2 2"   # Cmaj7
  "-12 -9 -5 -2" # Am7
  "-16 -12 -9 -5" # Fmaj7 (F3 A3 C4 E4)
  "-14 -10 -7 -5" # G6 (G3 B3 D4 E4)
  "-17 -14 -10 -7" # Em7 (E3 G3 B3 D4)
  "-12 -9 -5 -2" # Am7
  "-19 -16 -12 -9" # Dm7 (D3 F3 A3 C4)
  "-14 -10 -7 -2" # G (G3 B3 D4 G4)
)
arp=(0 2 1 3 2 1 2 3) # which chord tone each of the eight plucks plays, an octave up
chord_len=5
for i in "${!chords[@]}"; do
  read -r -a notes <<<"${chords[$i]}"
  start=$((i * chord_len))
  sox -D -R -r 16000 -c 4 -n "$work/pad-$i.wav" \
    synth 6.5 sine "%${notes[0]}" sine "%${notes[1]}" sine "%${notes[2]}" sine "%${notes[3]}" \
    remix - fade q 1.5 6.5 1.5 pad "$start"
  for j in "${!arp[@]}"; do
    semis=$((notes[arp[j]] + 12))
    at=$(awk -v s="$start" -v j="$j" 'BEGIN { printf "%.3f", s + j * 0.625 }')
    sox -D -R -r 16000 -c 1 -n "$work/pluck-$i-$j.wav" \
      synth 1.4 triangle "%$semis" fade h 0.02 1.4 1.3 vol 0.45 pad "$at"
  done
done
loop_len=$((${#chords[@]} * chord_len))
sox -D -R -m "$work"/pad-*.wav "$work"/pluck-*.wav "$work/mix.wav" \
  highpass 150 reverb 40 50 60 gain -n -6
sox -D -R "$work/mix.wav" "$work/head.wav" trim 0 "$loop_len"
sox -D -R "$work/mix.wav" "$work/tail.wav" trim "$loop_len"
sox -D -R -m -v 1 "$work/head.wav" -v 1 "$work/tail.wav" "$work/looped.wav" trim 0 "$loop_len" rate 8000
# About -18 dBFS RMS: a comfortable level next to speech peaking at -3 dBFS.
rms=$(sox "$work/looped.wav" -n stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
gain=$(awk -v r="$rms" 'BEGIN { printf "%.2f", -18 - r }')
sox -D -R "$work/looped.wav" -e u-law -b 8 -c 1 prompts/moh/default.wav gain "$gain"

count=$(find prompts -name '*.wav' | wc -l)
echo "make-prompts: $count files, $(du -sh prompts | cut -f1) in prompts/"
