"""Names by origin, each as a group of spellings of the same name.

The first spelling is the canonical one; the others are the transliteration variants an
operator may write down (Mohamed / Muhammad / Mohammed; Somali orthography writes ayn as C
and ha as X: Cabdullaahi = Abdullahi). Used to make persons and their differently-recorded
duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

Spellings = tuple[str, ...]


@dataclass(frozen=True)
class Origin:
    name: str
    nationalities: tuple[str, ...]  # ISO 3166-1 alpha-2
    languages: tuple[str, ...]  # ISO 639-1
    male: tuple[Spellings, ...]
    female: tuple[Spellings, ...]
    family: tuple[Spellings, ...]


ARABIC = Origin(
    "arabic",
    ("EG", "MA", "TN", "SD", "SY", "LY"),
    ("ar", "fr"),
    male=(
        ("Mohamed", "Muhammad", "Mohammed", "Mohammad", "Mohamad", "Mehmed"),
        ("Ahmed", "Ahmad", "Ahmet"),
        ("Abdulrahman", "Abd al-Rahman", "Abdelrahman", "Abdul Rahman", "Abderrahmane"),
        ("Youssef", "Yusuf", "Yousef", "Youcef"),
        ("Omar", "Umar", "Omer"),
        ("Khaled", "Khalid", "Khalied"),
        ("Mustafa", "Mostafa", "Moustafa"),
        ("Hussein", "Husain", "Hussain", "Houssein"),
        ("Ibrahim", "Ebrahim", "Brahim"),
        ("Abdallah", "Abdullah", "Abdellah"),
        ("Karim", "Kareem"),
        ("Hamza", "Hamsa"),
        ("Bilal", "Belal"),
        ("Said", "Saeed", "Sayed"),
        ("Ayoub", "Ayyub", "Ayub"),
        ("Walid", "Waleed", "Oualid"),
    ),
    female=(
        ("Fatima", "Fatma", "Fatema", "Fatimah"),
        ("Aisha", "Aicha", "Ayesha", "Aysha"),
        ("Mariam", "Maryam", "Meriem", "Miriam"),
        ("Khadija", "Khadidja", "Hadija"),
        ("Nour", "Noor", "Nur"),
        ("Amina", "Aminah", "Emina"),
        ("Salma", "Selma"),
        ("Yasmin", "Yasmine", "Jasmin"),
        ("Zainab", "Zeinab", "Zaynab"),
        ("Layla", "Leila", "Laila"),
    ),
    family=(
        ("El Amrani", "Elamrani", "Al Amrani"),
        ("Benali", "Ben Ali", "Bin Ali"),
        ("Haddad", "Hadad"),
        ("Mansour", "Mansur", "Mansoor"),
        ("Abdelkader", "Abd al-Qadir", "Abdulkadir"),
        ("Nasser", "Naser", "Nasir"),
        ("Chaoui", "Shawi"),
        ("El Idrissi", "Idrissi", "Al Idrisi"),
        ("Hassan", "Hasan"),
        ("Farouk", "Faruq", "Farouq"),
        ("Soliman", "Sulayman", "Suleiman"),
        ("Bouzid", "Bou Zid"),
        ("Kamal", "Kemal"),
        ("Othman", "Osman", "Uthman"),
    ),
)

SOMALI = Origin(
    "somali",
    ("SO",),
    ("so", "ar"),
    male=(
        ("Abdullahi", "Cabdullaahi", "Abdulahi", "Abdillahi"),
        ("Abdirahman", "Cabdiraxmaan", "Abdurahman"),
        ("Mohamed", "Maxamed", "Mohamud", "Maxamuud"),
        ("Hassan", "Xasan", "Hasan"),
        ("Ali", "Cali"),
        ("Abdi", "Cabdi"),
        ("Ahmed", "Axmed"),
        ("Hussein", "Xuseen", "Huseen"),
        ("Omar", "Cumar"),
    ),
    female=(
        ("Hawa", "Xaawo", "Hawo"),
        ("Asha", "Caasha", "Aisha"),
        ("Fadumo", "Faadumo", "Fatuma"),
        ("Halima", "Xaliimo", "Halimo"),
        ("Amina", "Aamina"),
        ("Sahra", "Sahro", "Sacdiyo"),
    ),
    family=(
        ("Warsame", "Warsane"),
        ("Farah", "Faarax"),
        ("Hirsi", "Xirsi"),
        ("Abdi", "Cabdi"),
        ("Jama", "Jaamac"),
        ("Osman", "Cismaan", "Othman"),
        ("Egal", "Cigaal"),
        ("Yusuf", "Yuusuf"),
    ),
)

TIGRINYA = Origin(
    "tigrinya",
    ("ER", "ET"),
    ("ti", "am"),
    male=(
        ("Tesfay", "Tesfaye", "Tesfai"),
        ("Yonas", "Yohannes", "Johannes"),
        ("Dawit", "Dawitt", "David"),
        ("Biniam", "Biniyam", "Bunyam"),
        ("Habtom", "Habtam"),
        ("Mehari", "Mahari"),
        ("Filmon", "Philemon"),
    ),
    female=(
        ("Helen", "Hellen", "Elen"),
        ("Senait", "Senayt", "Sennait"),
        ("Selam", "Salam", "Selamawit"),
        ("Mebrat", "Mebrahtu"),
        ("Luwam", "Luam"),
    ),
    family=(
        ("Gebremedhin", "Ghebremedhin", "Gebre Medhin"),
        ("Tesfamariam", "Tesfa Mariam", "Tesfamaryam"),
        ("Haile", "Hayle", "Hailé"),
        ("Kidane", "Kidanè", "Kidan"),
        ("Woldemichael", "Wolde Michael", "Weldemikael"),
        ("Ghebreyesus", "Gebreyesus", "Gebre Yesus"),
    ),
)

AFGHAN = Origin(
    "afghan",
    ("AF",),
    ("ps", "fa"),
    male=(
        ("Ahmad", "Ahmed"),
        ("Mohammad", "Muhammad", "Mohamad"),
        ("Abdul", "Abdol"),
        ("Sayed", "Sayyed", "Syed", "Said"),
        ("Hamid", "Hameed"),
        ("Javid", "Javed", "Jawid"),
        ("Rahmatullah", "Rahmatulla", "Rahmat Ullah"),
        ("Zabihullah", "Zabiullah", "Zabi Ullah"),
        ("Farhad", "Farhod"),
    ),
    female=(
        ("Fatema", "Fatima"),
        ("Zahra", "Zohra", "Zuhra"),
        ("Maryam", "Mariam"),
        ("Nargis", "Narges"),
        ("Shabnam", "Shabnum"),
    ),
    family=(
        ("Ahmadzai", "Ahmadzay", "Ahmedzai"),
        ("Hakimi", "Hakeemi"),
        ("Rahimi", "Raheemi"),
        ("Karimi", "Kareemi"),
        ("Noori", "Nouri", "Nuri"),
        ("Safi", "Saafi"),
        ("Stanikzai", "Stanekzai"),
        ("Popal", "Popalzai"),
    ),
)

SOUTH_ASIAN = Origin(
    "south_asian",
    ("PK", "BD"),
    ("ur", "bn", "en"),
    male=(
        ("Muhammad", "Mohammad", "Mohammed", "Md"),
        ("Imran", "Imraan"),
        ("Rahim", "Raheem"),
        ("Shahid", "Shaheed"),
        ("Abdul Karim", "Abdulkarim", "Abdul Kareem"),
        ("Rafiq", "Rafique", "Rafik"),
        ("Hossain", "Hussain", "Hosain"),
    ),
    female=(
        ("Nusrat", "Nushrat"),
        ("Shirin", "Shireen", "Sirin"),
        ("Farzana", "Farjana"),
        ("Rukhsana", "Ruksana"),
        ("Ayesha", "Aisha", "Ayesa"),
    ),
    family=(
        ("Khan", "Kahn"),
        ("Chowdhury", "Choudhury", "Chaudhry", "Chaudhary"),
        ("Rahman", "Rehman"),
        ("Hossain", "Hussain", "Hosain"),
        ("Islam", "Eslam"),
        ("Qureshi", "Kureshi", "Quraishi"),
        ("Mia", "Miah", "Mian"),
    ),
)

WEST_AFRICAN = Origin(
    "west_african",
    ("SN", "GM", "GN", "ML", "CI", "NG"),
    ("fr", "en", "wo"),
    male=(
        ("Mamadou", "Mamadu", "Mamadi"),
        ("Ousmane", "Usman", "Ousman", "Osman"),
        ("Ibrahima", "Ibrahim", "Brahima"),
        ("Moussa", "Musa", "Mousa"),
        ("Abdoulaye", "Abdulai", "Abdoulay", "Abdullahi"),
        ("Lamine", "Lamin", "Al Amin"),
        ("Sekou", "Sékou", "Seku"),
        ("Chinedu", "Chinedum"),
        ("Oluwaseun", "Seun"),
        ("Boubacar", "Bubacarr", "Boubakar", "Abubakar"),
    ),
    female=(
        ("Aminata", "Aminatta", "Aminatou"),
        ("Fatoumata", "Fatumata", "Fatou", "Fatmata"),
        ("Mariama", "Mariam", "Maryama"),
        ("Awa", "Hawa"),
        ("Kadiatou", "Kadiatu", "Khadijatou"),
        ("Blessing", "Blessin"),
    ),
    family=(
        ("Diallo", "Jallow", "Djallo", "Jalloh"),
        ("Bah", "Ba", "Barry"),
        ("Traoré", "Traore", "Trawally"),
        ("Camara", "Kamara"),
        ("Touré", "Toure", "Turay"),
        ("Ndiaye", "N'Diaye", "Njie"),
        ("Sow", "Sowe"),
        ("Keita", "Keïta", "Keyta"),
        ("Okafor", "Okaforr"),
        ("Adeyemi", "Adeyemy"),
    ),
)

SLAVIC = Origin(
    "slavic",
    ("UA", "MD", "RU"),
    ("uk", "ru"),
    male=(
        ("Oleksandr", "Aleksandr", "Alexandr", "Olexandr"),
        ("Serhii", "Sergei", "Serhiy", "Sergey"),
        ("Andrii", "Andriy", "Andrey", "Andrei"),
        ("Mykola", "Nikolai", "Nikolay"),
        ("Dmytro", "Dmitri", "Dmitry"),
        ("Yurii", "Yuriy", "Iurii", "Yuri"),
    ),
    female=(
        ("Olena", "Elena", "Yelena"),
        ("Tetiana", "Tatiana", "Tetyana", "Tatyana"),
        ("Yuliia", "Yulia", "Iuliia", "Julia"),
        ("Nataliia", "Natalia", "Natalya"),
        ("Iryna", "Irina"),
    ),
    family=(
        ("Kovalenko", "Kowalenko"),
        ("Shevchenko", "Shevchenco", "Sevcenko"),
        ("Bondarenko", "Bondarenco"),
        ("Tkachenko", "Tkacenko"),
        ("Kravchuk", "Kravciuc", "Krawczuk"),
        ("Melnyk", "Melnik", "Mel'nyk"),
    ),
)

ALBANIAN = Origin(
    "albanian",
    ("AL", "XK"),
    ("sq",),
    male=(
        ("Arben", "Arbën"),
        ("Besnik", "Besnick"),
        ("Ermal", "Ermall"),
        ("Gjergj", "Gjergji", "Jergj"),
        ("Kujtim", "Kujtimi"),
    ),
    female=(
        ("Elira", "Elirë"),
        ("Drita", "Dritë"),
        ("Mirela", "Mirella"),
        ("Blerta", "Blertë"),
    ),
    family=(
        ("Hoxha", "Hodja", "Hoxhaj"),
        ("Krasniqi", "Krasnici", "Krasniqui"),
        ("Berisha", "Beriša"),
        ("Gashi", "Gaši"),
        ("Shehu", "Sheu"),
    ),
)

LATIN_AMERICAN = Origin(
    "latin_american",
    ("PE", "EC", "SV", "BO", "CO"),
    ("es",),
    male=(
        ("José", "Jose"),
        ("Luis", "Luís"),
        ("Jhon", "John", "Jon"),
        ("Cristian", "Christian", "Kristian"),
        ("Wilmer", "Wilmar"),
        ("Jhonatan", "Jonathan", "Jonatan"),
    ),
    female=(
        ("María", "Maria"),
        ("Yessenia", "Yesenia", "Jessenia"),
        ("Lucía", "Lucia"),
        ("Jhoselyn", "Joselyn", "Yoselin"),
    ),
    family=(
        ("Quispe", "Quispé", "Kispe"),
        ("Mamani", "Mamany"),
        ("Gutiérrez", "Gutierrez"),
        ("Vásquez", "Vasquez", "Vazquez"),
        ("Huamán", "Huaman", "Guaman"),
        ("Chávez", "Chavez"),
    ),
)

ORIGINS: tuple[Origin, ...] = (
    ARABIC,
    SOMALI,
    TIGRINYA,
    AFGHAN,
    SOUTH_ASIAN,
    WEST_AFRICAN,
    SLAVIC,
    ALBANIAN,
    LATIN_AMERICAN,
)
