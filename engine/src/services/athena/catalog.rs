//! The Glue Data Catalog as Athena sees it: databases holding table definitions (columns, SerDe
//! or format, S3 location). Definitions only; the data stays in S3 and is read at query time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sim::Millis;
use crate::sql::{ExternalTable, QualifiedName};

/// The catalog name Athena shows (`awsdatacatalog.db.table`).
pub const CATALOG_NAME: &str = "awsdatacatalog";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catalog {
    databases: BTreeMap<String, Database>,
}

impl Default for Catalog {
    fn default() -> Self {
        let mut databases = BTreeMap::new();
        databases.insert("default".into(), Database::new("default", None, None, 0));
        Self { databases }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Database {
    pub name: String,
    pub comment: Option<String>,
    pub location: Option<String>,
    pub created_ms: Millis,
    tables: BTreeMap<String, Table>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub definition: ExternalTable,
    pub created_ms: Millis,
}

/// A change a finished DDL statement makes to the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CatalogChange {
    CreateDatabase {
        name: String,
        comment: Option<String>,
        location: Option<String>,
    },
    DropDatabase {
        name: String,
    },
    CreateTable(Table),
    DropTable(QualifiedName),
}

impl Database {
    fn new(
        name: &str,
        comment: Option<String>,
        location: Option<String>,
        created_ms: Millis,
    ) -> Self {
        Self {
            name: name.into(),
            comment,
            location,
            created_ms,
            tables: BTreeMap::new(),
        }
    }

    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }
}

impl Catalog {
    pub fn databases(&self) -> impl Iterator<Item = &Database> {
        self.databases.values()
    }

    pub fn database(&self, name: &str) -> Option<&Database> {
        self.databases.get(name)
    }

    pub fn table(&self, database: &str, table: &str) -> Option<&Table> {
        self.databases.get(database)?.tables.get(table)
    }

    pub fn apply(&mut self, change: CatalogChange, now_ms: Millis) {
        match change {
            CatalogChange::CreateDatabase {
                name,
                comment,
                location,
            } => {
                self.databases
                    .entry(name.clone())
                    .or_insert_with(|| Database::new(&name, comment, location, now_ms));
            }
            CatalogChange::DropDatabase { name } => {
                self.databases.remove(&name);
            }
            CatalogChange::CreateTable(table) => {
                let name = &table.definition.name;
                let database = name.database.clone().unwrap_or_default();
                if let Some(db) = self.databases.get_mut(&database) {
                    db.tables.insert(name.table.clone(), table);
                }
            }
            CatalogChange::DropTable(name) => {
                if let Some(db) = self
                    .databases
                    .get_mut(name.database.as_deref().unwrap_or_default())
                {
                    db.tables.remove(&name.table);
                }
            }
        }
    }
}
