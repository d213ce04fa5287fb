package org.computeledger.devtools;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a large DCGM telemetry input for timing the ingest: dcgm-exporter lines with
 * millisecond timestamps, every 10 s, ten metrics per GPU, one file per host of eight H100s.
 * Usage: {@code BenchTelemetry OUTDIR LINES [GPUS]} (default 512 GPUs, i.e. 64 hosts). It writes
 * whole scrapes, so slightly more than LINES lines. Formatting is done by hand into a byte buffer:
 * ten million lines take seconds, not minutes.
 */
public final class BenchTelemetry {
  static final int STEP_S = 10;
  static final int GPUS_PER_HOST = 8;
  static final long START_MS = SampleCluster.LOG_START * 1000;
  static final long SEED = 20260302L;

  private static final String[] METRICS = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_SM_CLOCK",
      "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "DCGM_FI_PROF_SM_ACTIVE",
      "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_PROF_PIPE_FP16_ACTIVE",
      "DCGM_FI_PROF_PIPE_FP32_ACTIVE", "DCGM_FI_PROF_PIPE_FP64_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE"};
  private static final String[] BUS = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};

  private BenchTelemetry() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: BenchTelemetry OUTDIR LINES [GPUS]");
      System.exit(2);
    }
    long lines = Long.parseLong(args[1]);
    int gpus = args.length == 3 ? Integer.parseInt(args[2]) : 512;
    long t0 = System.nanoTime();
    Result r = write(Path.of(args[0]), lines, gpus);
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "wrote %,d lines (%,.0f MB) in %d files in %.1f s (%,.0f lines/s)%n",
        r.lines(), r.bytes() / 1e6, r.files(), s, r.lines() / s);
  }

  /** What a run wrote: lines, bytes and files. */
  public record Result(long lines, long bytes, int files) {}

  /** Writes at least {@code lines} lines over {@code gpus} GPUs under {@code out/telemetry/dcgm/}. */
  public static Result write(Path out, long lines, int gpus) throws IOException {
    if (lines < 1 || gpus < 1) {
      throw new IllegalArgumentException("LINES and GPUS must be positive");
    }
    long perScrape = (long) gpus * METRICS.length;
    long scrapes = (lines + perScrape - 1) / perScrape;
    int hosts = (gpus + GPUS_PER_HOST - 1) / GPUS_PER_HOST;
    long written = 0;
    long bytes = 0;
    for (int h = 0; h < hosts; h++) {
      int hostGpus = Math.min(GPUS_PER_HOST, gpus - h * GPUS_PER_HOST);
      String host = String.format(Locale.ROOT, "bench%03d", h + 1);
      Path file = out.resolve("telemetry/dcgm/" + host + "/bench.prom");
      Files.createDirectories(file.getParent());
      try (OutputStream os = Files.newOutputStream(file)) {
        HostWriter w = new HostWriter(host, hostGpus, new SplittableRandom(SEED + h), os);
        for (long s = 0; s < scrapes; s++) {
          w.scrape(s);
        }
        w.flush();
        written += scrapes * hostGpus * METRICS.length;
        bytes += w.bytes;
      }
    }
    return new Result(written, bytes, hosts);
  }

  /** One host's exporter: its GPUs' busy and idle spells, and the lines of each scrape. */
  private static final class HostWriter {
    private final int gpus;
    private final SplittableRandom r;
    private final OutputStream os;
    private final byte[][][] prefixes;
    private final long offsetMs;
    private final long[] spellEnds;
    private final boolean[] busy;
    private final long[] energyMj;
    private final long[][] values;
    private final byte[] buf = new byte[1 << 20];
    private int pos;
    long bytes;

    HostWriter(String host, int gpus, SplittableRandom r, OutputStream os) {
      this.gpus = gpus;
      this.r = r;
      this.os = os;
      this.offsetMs = 1000 + r.nextInt(8000);
      this.prefixes = new byte[METRICS.length][gpus][];
      this.spellEnds = new long[gpus];
      this.busy = new boolean[gpus];
      this.energyMj = new long[gpus];
      this.values = new long[METRICS.length][gpus];
      for (int g = 0; g < gpus; g++) {
        String uuid = String.format(Locale.ROOT, "GPU-%08x-%04x-%04x-%04x-%012x", r.nextInt(),
            r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextLong() & 0xFFFFFFFFFFFFL);
        // dcgm-exporter's own label order
        String labels = "{gpu=\"" + g + "\",UUID=\"" + uuid + "\",pci_bus_id=\"00000000:" + BUS[g]
            + ":00.0\",device=\"nvidia" + g + "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"" + host
            + "\",DCGM_FI_DRIVER_VERSION=\"550.127.08\"} ";
        for (int m = 0; m < METRICS.length; m++) {
          prefixes[m][g] = (METRICS[m] + labels).getBytes(StandardCharsets.US_ASCII);
        }
        busy[g] = r.nextInt(4) != 0;
        spellEnds[g] = spell(busy[g]);
        energyMj[g] = 200_000_000_000L + (r.nextLong() & 0x7_FFFF_FFFFL);
      }
    }

    /** Busy spells last 1-8 h, idle ones 10 min to 2 h, counted in scrapes. */
    private long spell(boolean isBusy) {
      return isBusy ? 360 + r.nextInt(2520) : 60 + r.nextInt(660);
    }

    /** One scrape, grouped by metric as the exporter prints it; values in units or in millionths. */
    void scrape(long s) throws IOException {
      long ts = START_MS + s * STEP_S * 1000 + offsetMs + r.nextInt(4);
      for (int g = 0; g < gpus; g++) {
        if (s >= spellEnds[g]) {
          busy[g] = !busy[g];
          spellEnds[g] = s + spell(busy[g]);
        }
        boolean b = busy[g];
        long power = b ? 600_000_000 + r.nextInt(90_000_000) : 68_000_000 + r.nextInt(6_000_000);
        energyMj[g] += power * STEP_S / 1_000; // microwatts x seconds to millijoules
        values[0][g] = b ? 90 + r.nextInt(11) : 0;
        values[1][g] = b ? 1980 : 345;
        values[2][g] = power;
        values[3][g] = energyMj[g];
        values[4][g] = b ? 800_000 + r.nextInt(100_000) : 0;
        values[5][g] = b ? 400_000 + r.nextInt(100_000) : 0;
        values[6][g] = b ? 10_000 + r.nextInt(20_000) : 0;
        values[7][g] = b ? 30_000 + r.nextInt(40_000) : 0;
        values[8][g] = 0;
        values[9][g] = b ? 300_000 + r.nextInt(150_000) : 0;
      }
      for (int m = 0; m < METRICS.length; m++) {
        boolean integral = m <= 1 || m == 3;
        for (int g = 0; g < gpus; g++) {
          if (integral) {
            line(m, g, values[m][g], ts);
          } else {
            fixed(m, g, values[m][g], ts);
          }
        }
      }
    }

    private void line(int metric, int gpu, long value, long ts) throws IOException {
      start(metric, gpu);
      digits(value);
      end(ts);
    }

    /** A value in millionths, printed with six decimals as the exporter prints floats. */
    private void fixed(int metric, int gpu, long millionths, long ts) throws IOException {
      start(metric, gpu);
      digits(millionths / 1_000_000);
      buf[pos++] = '.';
      long frac = millionths % 1_000_000;
      for (long div = 100_000; div > 0; div /= 10) {
        buf[pos++] = (byte) ('0' + (frac / div) % 10);
      }
      end(ts);
    }

    private void start(int metric, int gpu) throws IOException {
      byte[] p = prefixes[metric][gpu];
      if (pos + p.length + 64 > buf.length) {
        flush();
      }
      System.arraycopy(p, 0, buf, pos, p.length);
      pos += p.length;
    }

    private void end(long ts) {
      buf[pos++] = ' ';
      digits(ts);
      buf[pos++] = '\n';
    }

    private void digits(long v) {
      if (v == 0) {
        buf[pos++] = '0';
        return;
      }
      int startPos = pos;
      while (v > 0) {
        buf[pos++] = (byte) ('0' + v % 10);
        v /= 10;
      }
      for (int i = startPos, j = pos - 1; i < j; i++, j--) {
        byte t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
      }
    }

    void flush() throws IOException {
      os.write(buf, 0, pos);
      bytes += pos;
      pos = 0;
    }
  }
}
