package org.computeledger.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reading the declaration files a user hands the ledger ({@code registry.yaml}, standard files,
 * {@code prices.csv}) with a size limit, so that a wrong or hostile file fails with one line
 * instead of filling the driver's memory. The limits are far above any real file: a registry of
 * thousands of projects is well under 1 MiB.
 */
public final class UntrustedInput {
  /** Largest {@code registry.yaml} (or {@code registry.yml}) read: 16 MiB. */
  public static final long REGISTRY_MAX_BYTES = 16L << 20;
  /** Largest standard file read: 1 MiB. */
  public static final long STANDARD_MAX_BYTES = 1L << 20;
  /** Largest CSV side file read beside the logs ({@code prices.csv}, {@code fx.csv}, {@code resources.csv}): 64 MiB. */
  public static final long SIDE_FILE_MAX_BYTES = 64L << 20;

  private UntrustedInput() {}

  /** The whole of {@code in} as UTF-8 text, or a {@link LedgerException} naming {@code file} when it is larger than {@code maxBytes}. */
  public static String readText(InputStream in, String file, long maxBytes) throws IOException {
    byte[] bytes = bounded(in, file, maxBytes).readAllBytes();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** {@code in}, failing with a {@link LedgerException} naming {@code file} once more than {@code maxBytes} are read. */
  public static InputStream bounded(InputStream in, String file, long maxBytes) {
    return new java.io.FilterInputStream(in) {
      private long count;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          count(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          count(n);
        }
        return n;
      }

      private void count(int n) {
        count += n;
        if (count > maxBytes) {
          throw tooLarge(file, maxBytes);
        }
      }
    };
  }

  /** The error for a file over its limit. */
  public static LedgerException tooLarge(String file, long maxBytes) {
    return new LedgerException(String.format(Locale.ROOT, "%s: is larger than %s, the limit for this file",
        file, mebibytes(maxBytes)));
  }

  static String mebibytes(long bytes) {
    return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }

  /**
   * A small declaration file beside the input ({@code resources.csv}, {@code fx.csv}) read through
   * {@code parse} as bounded UTF-8 text; null when there is no such file. A file system error is one
   * line naming the file.
   */
  public static <T> T readIfPresent(org.apache.hadoop.conf.Configuration conf, org.apache.hadoop.fs.Path file,
      String name, long maxBytes, TextParser<T> parse) {
    try {
      org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(conf);
      if (!fs.exists(file)) {
        return null;
      }
      try (java.io.Reader in = new java.io.InputStreamReader(bounded(fs.open(file), name, maxBytes),
          StandardCharsets.UTF_8)) {
        return parse.parse(in);
      }
    } catch (IOException e) {
      throw new LedgerException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  /** What a declaration file's reader does with its text. */
  @FunctionalInterface
  public interface TextParser<T> {
    T parse(java.io.Reader in) throws IOException;
  }
}
