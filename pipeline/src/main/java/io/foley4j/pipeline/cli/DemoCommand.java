package io.foley4j.pipeline.cli;

import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The README's first command: the main job on the project's own sample clip (a rendered bouncing-ball scene, 15 s,
 * 1280x720, H.264 by JCodec; made once under the home folder) with the default model.
 */
@Command(name = "demo", description = "Generate Foley for the built-in 15 s 720p sample clip with the default model.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "foley-demo.wav", description = "output WAV (default: ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--prompt", defaultValue = "a rubber ball bouncing on a wooden floor")
    String prompt;
    @Option(names = "--stereo", description = "two channels, panned by where each bounce is")
    boolean stereo;
    @Option(names = "--mux", description = "also write this copy of the sample clip with the track added")
    Path mux;
    @Mixin
    ModelOptions model;
    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        Path clip = sampleClip(model.home(), output.quiet || output.json);
        GenerateOptions opts = GenerateOptions.defaults().withChannels(stereo ? 2 : 1).withMux(mux);
        GenerateCommand.run(new FoleyRequest(clip, prompt, opts), out, model, output);
        return 0;
    }

    /** home/samples/bouncing-720p-15s.mp4, rendered and encoded on first use. */
    static Path sampleClip(Path home, boolean quiet) throws Exception {
        Path clip = home.resolve("samples").resolve("bouncing-720p-15s.mp4");
        if (!Files.exists(clip)) {
            if (!quiet) System.err.println("rendering the sample clip " + clip + " (once) ...");
            ClipWriter.write(new BouncingScene(1280, 720, 15, 1), 24, clip);
        }
        return clip;
    }
}
