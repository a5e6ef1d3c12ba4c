/// facescan's version, printed by `facescan --version` and written into job records.
public enum FaceScanVersion {
    public static let string = "0.1.0"
}
