package org.computeledger.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * An output folder written atomically, by one run at a time, and never at the expense of a folder
 * that is not a ledger output. Everything OUT needs sits beside it, in its parent, hidden:
 * <ul>
 *   <li>{@code .OUT.lock}: the one run writing OUT (see {@link OutputLock}), from {@link #begin} to
 *       {@link #commit} or {@link #abandon}, and released on JVM shutdown;</li>
 *   <li>{@code .OUT.tmp-UUID}: where the run writes; renamed to OUT on commit;</li>
 *   <li>{@code .OUT.old-UUID}: the previous OUT, moved aside during commit, deleted once the new one is in.</li>
 * </ul>
 * A commit is two renames (OUT aside, staging in). A run killed before the first leaves OUT as it
 * was; one killed between them leaves no OUT but its {@code .old} folder, and the next writer (or
 * {@code ledger verify}) renames that back: the previous output is restored and the killed run's
 * staging folder discarded, even when complete, because that run never reported success and the
 * previous output is the one its user last saw. The next writer also deletes every staging and old
 * folder of dead runs, under the lock, so they never pile up. Deleting never follows a symbolic link
 * out of the folder deleted (Hadoop's local file system deletes a link, not what it points to).
 */
public final class OutputDir implements AutoCloseable {
  /** The file by which a folder is known to be a ledger output, and the tool it must name. */
  public static final String MANIFEST = "manifest.json";
  public static final String TOOL = "compute-ledger";

  private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  /** Before Hadoop closes its file systems on shutdown, so the lock can still be removed. */
  private static final int SHUTDOWN_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 1;

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final OutputLock lock;
  private final Runnable onShutdown = this::abandon;
  private boolean finished;

  private OutputDir(FileSystem fs, Path target, Path staging, OutputLock lock) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
    this.lock = lock;
  }

  public static OutputDir begin(String out, Configuration conf) {
    return begin(out, conf, false, null);
  }

  /**
   * Locks {@code out}, restores or cleans up after killed runs, and refuses a file or a non-empty
   * folder that is not a ledger output unless {@code force}; then creates the staging folder.
   * {@code input} (may be null) is the folder the job reads: an {@code out} that is it or holds it is
   * refused, force or not, since replacing it would delete the input.
   */
  public static OutputDir begin(String out, Configuration conf, boolean force, String input) {
    Path target = qualified(out, conf);
    FileSystem fs = fileSystem(target, conf, out);
    if (target.getParent() == null) {
      throw new LedgerException(out + ": is the root of a file system; choose a folder inside it");
    }
    if (input != null) {
      Path in = qualified(input, conf);
      if (in.equals(target) || in.toString().startsWith(target.toString() + "/")) {
        throw new LedgerException(out + ": holds the input " + input + "; replacing it would delete the input"
            + " (choose another --out)");
      }
    }
    OutputLock lock;
    try {
      fs.mkdirs(target.getParent());
      lock = OutputLock.acquire(fs, lockFile(target), out);
    } catch (IOException e) {
      throw new LedgerException(out + ": cannot lock the output folder: " + e.getMessage(), e);
    }
    OutputDir dir = null;
    try {
      restore(fs, target, out);
      refuseIfNotOurs(fs, target, out, force);
      int removed = removeLeftovers(fs, target);
      if (removed > 0) {
        Progress.say("%s: removed %d folder(s) left beside it by runs that did not finish", out, removed);
      }
      Path staging = sibling(target, "tmp-" + UUID.randomUUID());
      dir = new OutputDir(fs, target, staging, lock);
      ShutdownHookManager.get().addShutdownHook(dir.onShutdown, SHUTDOWN_PRIORITY);
      if (!fs.mkdirs(staging)) {
        throw new IOException("cannot create " + staging);
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      if (dir != null) {
        dir.abandon();
      } else {
        lock.release();
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new LedgerException(out + ": cannot prepare the output folder: " + e.getMessage(), e);
    }
  }

  /**
   * Puts back a previous output that a run killed during its commit left moved aside, so that it can
   * be read (by {@code ledger verify}). Does nothing when {@code out} exists or nothing was moved
   * aside; refuses, naming the holder, while another run holds the lock (it may be committing).
   */
  public static void recover(String out, Configuration conf) {
    Path target = qualified(out, conf);
    FileSystem fs = fileSystem(target, conf, out);
    try {
      if (target.getParent() == null || fs.exists(target) || siblings(fs, target, "old").isEmpty()) {
        return;
      }
      OutputLock lock = OutputLock.acquire(fs, lockFile(target), out);
      try {
        restore(fs, target, out);
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw new LedgerException(out + ": cannot restore the previous output: " + e.getMessage(), e);
    }
  }

  /** Where the job writes; becomes the target on {@link #commit()}. */
  public String path() {
    return staging.toString();
  }

  /** A path inside the staging folder; {@code name} is relative and never climbs out of it. */
  public String child(String name) {
    if (name.isEmpty() || name.startsWith("/") || name.contains(":") || name.contains("\\")
        || Arrays.asList(name.split("/")).contains("..")) {
      throw new IllegalArgumentException(name + ": not a path inside the output folder");
    }
    return new Path(staging, name).toString();
  }

  public String target() {
    return target.toString();
  }

  /** Replaces the target with the staging folder and releases the lock. */
  public void commit() {
    try {
      if (!lock.held()) {
        throw new LedgerException(target + ": another run took over the lock " + lockFile(target).getName()
            + "; this run's output was not written");
      }
      Path old = null;
      if (fs.exists(target)) {
        old = sibling(target, "old-" + UUID.randomUUID());
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move the previous " + target + " aside");
        }
      }
      if (!fs.rename(staging, target)) {
        if (old != null) {
          fs.rename(old, target);
        }
        throw new IOException("cannot move " + staging + " to " + target);
      }
      finish();
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw new LedgerException(target + ": cannot write the output folder: " + e.getMessage(), e);
    } finally {
      abandon();
    }
  }

  /** Removes the staging folder and releases the lock, unless already committed; never fails. */
  public void abandon() {
    if (!finished) {
      try {
        fs.delete(staging, true);
      } catch (IOException e) {
        // the next run deletes what is left: the target was never touched
      }
      finish();
    }
  }

  @Override
  public void close() {
    abandon();
  }

  private synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    lock.release();
    if (!ShutdownHookManager.get().isShutdownInProgress()) {
      ShutdownHookManager.get().removeShutdownHook(onShutdown);
    }
  }

  /** True when {@code dir} holds a manifest written by this tool. */
  public static boolean isLedgerOutput(FileSystem fs, Path dir) {
    Path m = new Path(dir, MANIFEST);
    try (InputStream in = fs.open(m)) {
      JsonNode root = new ObjectMapper().readTree(in);
      return root != null && TOOL.equals(root.path("tool").asText());
    } catch (IOException e) {
      return false; // no manifest, or not JSON: not ours
    }
  }

  static void refuseIfNotOurs(FileSystem fs, Path target, String out, boolean force) throws IOException {
    if (force || !fs.exists(target)) {
      return;
    }
    FileStatus s = fs.getFileStatus(target);
    if (!s.isDirectory()) {
      throw new LedgerException(out + ": is a file, not an output folder; not replaced (give --force to replace it)");
    }
    if (fs.listStatus(target).length > 0 && !isLedgerOutput(fs, target)) {
      throw new LedgerException(out + ": is a folder that is not a ledger output (no " + MANIFEST + " written by "
          + TOOL + "); not replaced (choose another --out, or give --force to replace it)");
    }
  }

  /** With the target missing, renames the newest folder moved aside by a killed commit back into place. */
  private static void restore(FileSystem fs, Path target, String out) throws IOException {
    if (fs.exists(target)) {
      return;
    }
    List<FileStatus> old = siblings(fs, target, "old");
    if (old.isEmpty()) {
      return;
    }
    old.sort(Comparator.comparingLong(FileStatus::getModificationTime));
    Path newest = old.get(old.size() - 1).getPath();
    if (!fs.rename(newest, target)) {
      throw new IOException("cannot move " + newest + " back to " + target);
    }
    System.err.println("ledger: " + out + ": restored the previous output from " + newest.getName()
        + " (a run was killed while replacing it)");
  }

  private static int removeLeftovers(FileSystem fs, Path target) throws IOException {
    List<FileStatus> left = siblings(fs, target, "tmp|old");
    for (FileStatus s : left) {
      fs.delete(s.getPath(), true);
    }
    return left.size();
  }

  /** The staging ({@code tmp}) or old folders beside the target, by their exact names. */
  static List<FileStatus> siblings(FileSystem fs, Path target, String kinds) throws IOException {
    Pattern p = Pattern.compile(Pattern.quote("." + target.getName() + ".") + "(" + kinds + ")-" + UUID_PATTERN);
    if (!fs.exists(target.getParent())) {
      return new ArrayList<>();
    }
    return new ArrayList<>(Arrays.asList(fs.listStatus(target.getParent(), c -> p.matcher(c.getName()).matches())));
  }

  static Path lockFile(Path target) {
    return sibling(target, "lock");
  }

  private static Path sibling(Path target, String suffix) {
    return new Path(target.getParent(), "." + target.getName() + "." + suffix);
  }

  private static Path qualified(String dir, Configuration conf) {
    try {
      Path p = new Path(dir);
      return p.getFileSystem(conf).makeQualified(p);
    } catch (IOException | IllegalArgumentException e) {
      throw new LedgerException(dir + ": not a usable path: " + e.getMessage(), e);
    }
  }

  private static FileSystem fileSystem(Path p, Configuration conf, String dir) {
    try {
      return p.getFileSystem(conf);
    } catch (IOException e) {
      throw new LedgerException(dir + ": cannot open its file system: " + e.getMessage(), e);
    }
  }
}
