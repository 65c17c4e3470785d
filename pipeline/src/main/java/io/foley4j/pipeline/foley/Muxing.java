package io.foley4j.pipeline.foley;

import io.foley4j.pipeline.mux.Mp4Mux;
import java.io.IOException;
import java.nio.file.Path;

/** --mux: a copy of the input video with the generated WAV as its audio track (video stream untouched). */
public final class Muxing {
    private Muxing() {}

    public static Path addAudio(Path video, Path wav, Path out) throws IOException {
        if (out.toAbsolutePath().normalize().equals(video.toAbsolutePath().normalize())) {
            throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER,
                    "--mux " + out + " would overwrite the input video");
        }
        Mp4Mux.addAudio(video, wav, out);
        return out;
    }
}
