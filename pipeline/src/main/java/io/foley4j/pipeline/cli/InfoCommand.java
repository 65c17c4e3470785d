package io.foley4j.pipeline.cli;

import io.foley4j.loader.SafetensorsFile;
import io.foley4j.pipeline.Foley;
import io.foley4j.pipeline.foley.LibraryBank;
import io.foley4j.pipeline.foley.SoundBank;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "info", description = "Print a model's config, tensors, sizes and precision: 'default', a FoleyNet "
        + "folder or a converted .safetensors file.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "default | FOLDER | FILE.safetensors")
    String model;
    @Option(names = "--tensors", description = "list every tensor (default: only a summary per file)")
    boolean tensors;
    @Option(names = "--home", description = "cache folder (default: $FOLEY4J_HOME, else ~/.cache/foley4j)")
    Path home;

    @Override
    public Integer call() throws Exception {
        if ("default".equals(model)) {
            Path h = home != null ? home : Foley.defaultHome();
            System.out.println("model default: real recordings placed at motion events; prompts matched by "
                    + "all-MiniLM-L6-v2 (text encoder, from the class path; dynamic INT8 in mixed precision)");
            Path sounds = h.resolve("sounds");
            if (!Files.isDirectory(sounds)) {
                System.out.println("recordings: none yet in " + sounds + " (scripts/fetch-sounds.sh fetches them)");
                return 0;
            }
            LibraryBank bank = LibraryBank.open(sounds);
            Map<String, Integer> cats = new TreeMap<>();
            Map<String, Integer> licences = new TreeMap<>();
            for (SoundBank.Sound s : bank.sounds()) {
                cats.merge(s.category() + (s.continuous() ? " (looped)" : ""), 1, Integer::sum);
                licences.merge(s.licence(), 1, Integer::sum);
            }
            System.out.println("recordings: " + bank.sounds().size() + " in " + sounds);
            cats.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-22s %4d%n", k, v));
            System.out.println("licences:");
            licences.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-22s %4d%n", k, v));
            return 0;
        }
        Path p = Path.of(model);
        if (Files.isDirectory(p)) {
            FoleyNetConfig cfg = FoleyNetConfig.read(p);
            System.out.println(Files.readString(p.resolve(FoleyNetConfig.FILE)).strip());
            long total = 0;
            for (String f : new String[] {cfg.video().vit(), cfg.aligner().file(), cfg.decoder().file(), cfg.vocoder().file()}) {
                if (f != null) total += file(p.resolve(f));
            }
            System.out.printf(Locale.ROOT, "weights in all: %.1f MB (text encoder MiniLM not included)%n", total / 1e6);
            return 0;
        }
        file(p);
        return 0;
    }

    private long file(Path f) throws Exception {
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            long bytes = 0;
            Map<String, Integer> dtypes = new TreeMap<>();
            for (SafetensorsFile.Entry e : sf.entries().values()) {
                bytes += e.end() - e.begin();
                dtypes.merge(e.dtype().toString(), 1, Integer::sum);
            }
            System.out.printf(Locale.ROOT, "%s: %d tensors, %.2f MB, dtypes %s%n", f, sf.entries().size(), bytes / 1e6, dtypes);
            sf.metadata().forEach((k, v) -> {
                String s = v.length() > 300 ? v.substring(0, 300) + "... (" + v.length() + " chars)" : v;
                if (!k.startsWith("quant.") || tensors) System.out.println("  metadata " + k + " = " + s);
            });
            long quant = sf.metadata().keySet().stream().filter(k -> k.startsWith("quant.")).count();
            if (quant > 0) System.out.println("  quantized tensors: " + quant);
            if (tensors) {
                for (String n : sf.names()) System.out.println("  " + sf.info(n));
            }
            return bytes;
        }
    }
}
