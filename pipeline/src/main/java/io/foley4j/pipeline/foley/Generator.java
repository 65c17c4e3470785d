package io.foley4j.pipeline.foley;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A loaded Foley model that turns requests into WAV files. Implementations are thread-safe: one instance serves many
 * concurrent calls. Bad input raises {@link FoleyInputException} or {@link io.foley4j.pipeline.video.VideoException};
 * {@code out} then does not exist (a partial file is never left behind).
 */
public interface Generator extends AutoCloseable {
    FoleyResult generate(FoleyRequest request, Path out, Progress progress) throws IOException;

    /** One line naming the model (for /health, info and logs). */
    String describe();

    @Override
    void close();
}
