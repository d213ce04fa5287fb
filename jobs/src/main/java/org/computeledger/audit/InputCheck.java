package org.computeledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The input half of {@code ledger verify --input}: the raw files a report names in its manifest,
 * hashed again where they still are, so that an auditor knows the logs in hand are the logs the
 * report was made from. Parsed inputs carry a SHA-256 in the manifest; declarations (registry.yaml,
 * prices.csv) are checked against the copy the report keeps under {@code declarations/}.
 */
public final class InputCheck {
  /** What a file's check found; {@code detail} says why in words. */
  public record Finding(String kind, String path, String detail) {
    @Override
    public String toString() {
      return String.format("%-9s %s%s", kind, path, detail.isEmpty() ? "" : " (" + detail + ")");
    }
  }

  private InputCheck() {}

  /**
   * The files the manifest lists, path → SHA-256 expected (null: listed without a hash, only its
   * presence is checked). {@code outputs} gives the hash of the report's copy of each declaration.
   */
  public static Map<String, String> listed(JsonNode manifest) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode n : manifest.path("inputs")) {
      out.put(n.path("path").asText(), n.path("sha256").asText(null));
    }
    Map<String, String> outputs = new TreeMap<>();
    for (JsonNode n : manifest.path("outputs")) {
      outputs.put(n.path("path").asText(), n.path("sha256").asText());
    }
    for (JsonNode n : manifest.path("inputs_not_parsed")) {
      String p = n.path("path").asText();
      out.put(p, n.path("kind").asText("").startsWith("declaration") ? outputs.get("declarations/" + p) : null);
    }
    return out;
  }

  /** Changed, missing and unlisted files, in path order; empty when the inputs are as listed. */
  public static List<Finding> compare(Map<String, String> listed, Map<String, String> actual) {
    List<Finding> out = new ArrayList<>();
    TreeMap<String, Boolean> all = new TreeMap<>();
    listed.keySet().forEach(k -> all.put(k, true));
    actual.keySet().forEach(k -> all.put(k, true));
    for (String p : all.keySet()) {
      boolean isListed = listed.containsKey(p);
      String want = listed.get(p);
      String have = actual.get(p);
      if (!isListed) {
        out.add(new Finding("UNLISTED", p, "not in the manifest: the report was not made from it"));
      } else if (have == null) {
        out.add(new Finding("MISSING", p, "listed in the manifest, not under --input"));
      } else if (want != null && !want.equals(have)) {
        out.add(new Finding("CHANGED", p, "manifest " + want + ", file " + have));
      }
    }
    return out;
  }

  /** Every regular file under {@code dir}, by path relative to it with '/' separators, with its SHA-256. */
  public static Map<String, String> hashFolder(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.put(dir.relativize(f).toString().replace('\\', '/'), sha256(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot be read: " + e.getMessage(), e);
    }
    return out;
  }

  /** Lower-case hex SHA-256 of a file's stored bytes. */
  public static String sha256(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return sha256(in);
    }
  }

  static String sha256(InputStream stream) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(stream, md)) {
        byte[] buf = new byte[1 << 16];
        while (in.read(buf) >= 0) {
          // the digest sees every byte read
        }
      }
      return hex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.toString();
  }
}
