package io.foley4j.models.convert;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@link ModelConverter#convert} did.
 *
 * @param tensors  logical tensors in the output (an INT8 tensor and its scales count once)
 * @param bytesIn  size of the input: the ONNX file, or the folder's safetensors shards
 * @param bytesOut size of the written file
 * @param config   the model config stored in the output's metadata (JSON)
 */
public record ConvertReport(Path input, Path output, ModelFamily family, Precision precision, String format,
                            int tensors, long bytesIn, long bytesOut, String config) {

    /** Lines for the CLI. */
    public String describe() {
        return String.format(Locale.ROOT, "%s (%s, %s) -> %s%n  family %s, precision %s, %d tensors, "
                        + "%.1f MB -> %.1f MB (%.0f%%)%n  config %s", input, format, mb(bytesIn), output,
                family.cliName, precision.cliName, tensors, bytesIn / 1e6, bytesOut / 1e6,
                100.0 * bytesOut / Math.max(1, bytesIn), config);
    }

    private static String mb(long b) {
        return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }
}
