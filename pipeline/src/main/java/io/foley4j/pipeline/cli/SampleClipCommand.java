package io.foley4j.pipeline.cli;

import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sample-clip", description = "Render the bouncing-ball sample clip (H.264 by JCodec) with its contact times.")
final class SampleClipCommand implements Callable<Integer> {
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--seconds", defaultValue = "15") double seconds;
    @Option(names = "--width", defaultValue = "1280") int width;
    @Option(names = "--height", defaultValue = "720") int height;
    @Option(names = "--fps", defaultValue = "24") int fps;
    @Option(names = "--seed", defaultValue = "1") long seed;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        BouncingScene scene = new BouncingScene(width, height, seconds, seed);
        ClipWriter.write(scene, fps, out);
        System.out.printf(Locale.ROOT, "wrote %s (%dx%d, %.1f s, %d fps, %d contacts listed in %s.contacts.tsv) in %.1f s%n",
                out, width, height, seconds, fps, scene.contacts().size(), out.getFileName(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
