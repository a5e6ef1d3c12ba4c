import FaceScan
