package org.computeledger.common;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFileAttributes;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}, with its checksum side files as before) that sets and reads
 * permissions through Java's file attributes instead of starting a process. Without Hadoop's native
 * library, which the ledger does not ship, every file and folder Spark writes locally costs a {@code chmod}
 * process and every permission asked of a listed file an {@code ls -ld}: measured on the sample logs, about
 * 830 {@code chmod} and 400 {@code ls} per {@code ledger run}, 20 CPU seconds of the kernel's time on
 * 2 cores. The modes, owners and groups set and reported are the same; where Java cannot give them (a
 * file system without POSIX attributes), Hadoop's own way is used. The command line uses it for local
 * paths of the driver, and for the executors in local mode only ({@code cli/SparkSessions}).
 */
public class ProcessFreeLocalFileSystem extends LocalFileSystem {
  public ProcessFreeLocalFileSystem() {
    super(new Raw());
  }

  /** The raw file system underneath: the same as Hadoop's, with permissions through java.nio. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      try {
        // "unix:mode" holds the whole mode, sticky bit included (chmod's octal argument)
        Files.setAttribute(pathToFile(p).toPath(), "unix:mode", (int) permission.toShort());
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
      return lazy(super.getFileStatus(f));
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      return lazy(super.getFileLinkStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
      FileStatus[] all = super.listStatus(f);
      for (int i = 0; i < all.length; i++) {
        all[i] = lazy(all[i]);
      }
      return all;
    }

    private FileStatus lazy(FileStatus s) throws IOException {
      return s == null || s instanceof AttributeStatus ? s : new AttributeStatus(s, pathToFile(s.getPath()));
    }
  }

  /**
   * A local file's status whose permission, owner and group are read on first use from its attributes,
   * as Hadoop's own local status reads them on first use from {@code ls -ld}.
   */
  static final class AttributeStatus extends FileStatus {
    private final transient FileStatus hadoops;
    private final transient File file;
    private boolean loaded;

    AttributeStatus(FileStatus s, File file) throws IOException {
      super(s.getLen(), s.isDirectory(), s.getReplication(), s.getBlockSize(), s.getModificationTime(),
          s.getAccessTime(), null, null, null, s.isSymlink() ? s.getSymlink() : null, s.getPath());
      this.hadoops = s;
      this.file = file;
    }

    private synchronized void load() {
      if (loaded) {
        return;
      }
      loaded = true;
      if (file == null) {
        return;
      }
      try {
        java.nio.file.Path p = file.toPath();
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        setPermission(new FsPermission((short) (mode & 07777)));
        setOwner(a.owner().getName());
        setGroup(a.group().getName());
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
        setPermission(hadoops.getPermission());
        setOwner(hadoops.getOwner());
        setGroup(hadoops.getGroup());
      }
    }

    @Override
    public FsPermission getPermission() {
      load();
      return super.getPermission();
    }

    @Override
    public String getOwner() {
      load();
      return super.getOwner();
    }

    @Override
    public String getGroup() {
      load();
      return super.getGroup();
    }

    @Override
    public void write(java.io.DataOutput out) throws IOException {
      load();
      super.write(out);
    }

    /** Serialized with its attributes read, since the file is not known on the other side. */
    private Object writeReplace() {
      load();
      return this;
    }
  }
}
