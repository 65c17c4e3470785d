package io.foley4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API entry point: models from the class path, options, errors. */
class FoleyTest {
    @TempDir
    Path dir;

    @Test
    void loadsAFoleyNetFromTheClassPathAndGenerates() throws Exception {
        Path video = Path.of(FoleyTest.class.getResource("/video/baseline.mp4").toURI());
        Foley.Options o = Foley.Options.defaults().withHome(dir.resolve("home")).withThreads(2)
                .withPrecision(Precision.FP32);
        try (Foley foley = Foley.load("classpath:/recipe/tiny", o)) {
            assertTrue(Files.isRegularFile(dir.resolve("home/classpath/recipe/tiny/foleynet.json")));
            FoleyResult r = foley.generate(video, "glass shatters", dir.resolve("out.wav"));
            assertEquals(2 * 48_000, Wav.read(r.wav()).frames());
            assertTrue(foley.describe().contains("FoleyNet"), foley.describe());
        }
        // a second load finds the copy
        try (Foley foley = Foley.load("classpath:/recipe/tiny", o)) {
            assertTrue(foley.threads() == 2);
        }
    }

    @Test
    void missingModelsAreNamed() {
        Foley.Options o = Foley.Options.defaults().withHome(dir);
        FoleyInputException e = assertThrows(FoleyInputException.class, () -> Foley.load("classpath:/no/such", o));
        assertTrue(e.getMessage().contains("/no/such"), e.getMessage());
        Exception d = assertThrows(java.io.IOException.class, () -> Foley.load("default", o));
        assertTrue(d.getMessage().contains("fetch-sounds.sh"), d.getMessage());
        assertThrows(FoleyInputException.class, () -> Foley.load(dir.toString(), o));
    }
}
