package org.computeledger.common;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one run allowed to write an output folder: a small file beside it ({@code .NAME.lock}),
 * created atomically, that names its holder (pid, host, start time). A lock whose holder ran on this
 * host and is no longer alive is stale (the run was killed) and is taken over; a lock from another
 * host cannot be checked and is never taken over.
 */
final class OutputLock {
  /** A lock that cannot be read (its writer died between creating and filling it) is stale after this. */
  static final long UNREADABLE_STALE_MILLIS = 60_000;

  /** Who holds a lock, as written in the file. */
  record Holder(long pid, String host, String started, String processStart, String token) {
    static Holder current() {
      ProcessHandle self = ProcessHandle.current();
      return new Holder(self.pid(), hostName(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
          self.info().startInstant().map(Instant::toString).orElse(""), UUID.randomUUID().toString());
    }

    String text() {
      return "pid=" + pid + "\nhost=" + host + "\nstarted=" + started + "\nprocess_start=" + processStart
          + "\ntoken=" + token + "\n";
    }

    /** Empty when the text is not a lock this class wrote (e.g. cut off by a kill). */
    static Optional<Holder> parse(String text) {
      Map<String, String> m = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          m.put(line.substring(0, eq), line.substring(eq + 1).trim());
        }
      }
      try {
        if (!m.containsKey("host") || !m.containsKey("token")) {
          return Optional.empty();
        }
        return Optional.of(new Holder(Long.parseLong(m.get("pid")), m.get("host"), m.getOrDefault("started", "?"),
            m.getOrDefault("process_start", ""), m.get("token")));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    String describe() {
      return "pid " + pid + " on " + host + ", started " + started;
    }

    /**
     * True when this holder ran here and is gone: no process with its pid, or one that started at
     * another time (the pid was reused).
     */
    boolean deadOnThisHost() {
      if (!host.equals(hostName())) {
        return false;
      }
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        return true;
      }
      Optional<Instant> start = p.get().info().startInstant();
      return !processStart.isEmpty() && start.isPresent() && !start.get().toString().equals(processStart);
    }
  }

  private final FileSystem fs;
  private final Path file;
  private final Holder holder;

  private OutputLock(FileSystem fs, Path file, Holder holder) {
    this.fs = fs;
    this.file = file;
    this.holder = holder;
  }

  /**
   * Takes the lock, or refuses with one line naming the holder; a stale lock is taken over, which is
   * said once on stderr. {@code out} is the folder as the user named it, for messages.
   */
  static OutputLock acquire(FileSystem fs, Path file, String out) throws IOException {
    Holder me = Holder.current();
    for (int attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(fs, file, me.text())) {
        return new OutputLock(fs, file, me);
      }
      String text = read(fs, file);
      if (text == null) {
        continue; // released in between: try again
      }
      Optional<Holder> h = Holder.parse(text);
      String why;
      if (h.isPresent()) {
        if (!h.get().deadOnThisHost()) {
          throw new LedgerException(out + ": another ledger run is writing it (" + h.get().describe() + "); "
              + (h.get().host.equals(hostName()) ? "wait for it to end"
                  : "wait for it to end, or delete " + file + " if that run is gone"));
        }
        why = "the run that held it is gone (" + h.get().describe() + ")";
      } else {
        long age = System.currentTimeMillis() - fs.getFileStatus(file).getModificationTime();
        if (age < UNREADABLE_STALE_MILLIS) {
          throw new LedgerException(out + ": another ledger run is starting to write it (lock " + file
              + " created " + age / 1000 + " s ago)");
        }
        why = "it could not be read and is " + age / 1000 + " s old";
      }
      // the lock is removed only if it is still the stale one just read, so a run that took it
      // over meanwhile keeps it
      if (text.equals(read(fs, file))) {
        fs.delete(file, false);
        System.err.println("ledger: " + out + ": taking over the lock " + file.getName() + ": " + why);
      }
    }
    throw new LedgerException(out + ": cannot take the lock " + file + ": other runs keep taking it");
  }

  /** Whether the file still names this holder (it does unless another run took a lock it thought stale). */
  boolean held() throws IOException {
    String text = read(fs, file);
    return text != null && Holder.parse(text).map(h -> h.token.equals(holder.token)).orElse(false);
  }

  /** Removes the lock if it is still this holder's; never fails. */
  void release() {
    try {
      if (held()) {
        fs.delete(file, false);
      }
    } catch (IOException e) {
      // a lock left behind is stale once this process is gone, and the next run takes it over
    }
  }

  /**
   * Creates the file only if there is none, atomically. Hadoop's local file system checks and creates
   * in two steps, so on it the file is created with {@code O_EXCL} through java.nio (which also leaves
   * no {@code .crc} side file); on HDFS, {@code create} without overwrite is atomic in the name node.
   */
  private static boolean createExclusive(FileSystem fs, Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (fs instanceof LocalFileSystem local) {
      try {
        Files.write(local.pathToFile(file).toPath(), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream os = fs.create(file, false)) {
      os.write(bytes);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (fs.exists(file)) {
        return false; // HDFS reports an existing file in several ways (e.g. AlreadyBeingCreatedException)
      }
      throw e;
    }
  }

  /** The lock's text, or null if there is no lock. */
  private static String read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  private static volatile String host;

  /** This machine's name, looked up once (a slow resolver would otherwise be asked at every check). */
  static String hostName() {
    if (host == null) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        String env = System.getenv("HOSTNAME");
        host = env == null || env.isEmpty() ? "localhost" : env;
      }
    }
    return host;
  }
}
