pub struct CodeMemory;
