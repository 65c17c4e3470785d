package io.foley4j.pipeline.foley;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a generation produced and what it cost.
 *
 * @param wav           the written 48 kHz WAV (complete: it was renamed into place)
 * @param muxed         the video copy with the track added, or null
 * @param stages        per stage (decode, visual, text, sampling, vocoder, write...), in order
 * @param peakRssBytes  the process's peak resident memory over the whole call (-1 when unknown)
 * @param counters      cache hits/misses and other counts of this call (frame.hits, template.hits...)
 * @param model         a short description of the model and path used (e.g. "default (sound templates)")
 */
public record FoleyResult(Path wav, Path muxed, int sampleRate, int channels, double audioSeconds,
                          List<StageTiming> stages, long peakRssBytes, Map<String, Long> counters, String model) {
    public double totalSeconds() {
        double s = 0;
        for (StageTiming t : stages) s += t.seconds();
        return s;
    }
}
