"""Name pools for synthetic people and staff, grouped by the heritage a name is common in.

Written for this generator. Every generated person is a random pairing of a given name and a family
name from these pools, so no generated record describes a real person. The pools are broad on
purpose: search, sorting and display must cope with apostrophes, hyphens, diacritics and short
and long names from every ethnic category in the NHS Data Dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamePool:
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


POOLS: dict[str, NamePool] = {
    "british": NamePool(
        male=_t(
            "Jack Oliver Harry George Thomas James William Daniel Callum Liam Ryan Jordan Kieran Connor "
            "Lewis Jake Scott Dean Craig Lee Wayne Gary Darren Stuart Mark Paul Steven Andrew David "
            "Michael Christopher Matthew Adam Luke Joshua Bradley Reece Tyler Ben Samuel Alfie Charlie "
            "Mason Kyle Shane Brandon Nathan Aaron Ashley Carl Neil Keith Trevor Colin Graham Roy Terry "
            "Barry Derek Alan Ian Kevin Martin Jamie Owen Rhys Ewan Finley Archie Logan Dylan Gareth"
        ),
        female=_t(
            "Emma Sophie Chloe Jessica Lauren Amy Rebecca Hannah Charlotte Megan Leanne Kelly Stacey "
            "Gemma Danielle Kirsty Natalie Nicola Sarah Claire Lisa Michelle Joanne Donna Tracey Karen "
            "Julie Susan Louise Rachel Jade Paige Courtney Shannon Kayleigh Amber Ellie Molly Lily Grace "
            "Holly Zoe Abbie Katie Jodie Sharon Deborah Janet Pauline Carol Maureen Tina Bethan Cerys"
        ),
        family=_t(
            "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
            "Walker White Roberts Green Hall Wood Jackson Clarke Harris Lewis Turner Hill Cooper Ward "
            "Morris Moore King Watson Baker Harrison Morgan Young Allen Mitchell James Anderson Phillips "
            "Bell Parker Hughes Edwards Price Bennett Griffiths Cox Marshall Shaw Holmes Atkinson Barker "
            "Lloyd Fletcher Dixon Foster Chapman Webb Rowe Pearson Hudson Gibson Stevens Mason Fox Hunt "
            "Ashworth Dawson Fenwick Holloway Kershaw Ratcliffe Sutcliffe Thornton Whitworth Blackburn "
            "Bramley Cartwright Duckworth Featherstone Greenhalgh Hepworth Ingram Jessop Kenworthy "
            "McKenzie Campbell Stewart Murray Reid Fraser Hamilton Graham Morrison Ross Paterson Jenkins "
            "Pritchard Rees Vaughan Powell Howells Pugh Lovell Boswell Smith-Jones Hughes-Davies"
        ),
    ),
    "irish": NamePool(
        male=_t(
            "Seán Ciarán Pádraig Declan Eoin Cormac Niall Darragh Conor Oisín Fergal Ronan Cathal Aidan "
            "Shane Kevin Brendan Michael Patrick"
        ),
        female=_t(
            "Siobhán Aoife Niamh Róisín Orla Ciara Sinéad Aisling Gráinne Caoimhe Máiréad Bridget "
            "Deirdre Ailbhe Clodagh"
        ),
        family=_t(
            "Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill Doyle McCarthy Gallagher "
            "Doherty Kennedy Lynch Quinn Brennan Fitzgerald Flanagan Nolan Keane Maguire Donnelly Power "
            "Reilly McDonagh Joyce Stokes Maughan Connors O'Riordan"
        ),
    ),
    "european": NamePool(
        male=_t(
            "Piotr Tomasz Krzysztof Marcin Paweł Łukasz Jakub Andrei Mihai Ionuț Florin Bogdan Mantas "
            "Tomas Darius João Tiago Rui Marco Luca Arben Besnik Ermal Georgi Dimitar Attila Milan "
            "Stefan Viktor"
        ),
        female=_t(
            "Agnieszka Katarzyna Magdalena Joanna Aleksandra Ana Ioana Elena Andreea Rūta Ieva Inês "
            "Mariana Giulia Elira Desislava Zsófia Lucie Monika Kristina"
        ),
        family=_t(
            "Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Jabłoński Popescu Ionescu "
            "Dumitru Stan Constantin Kazlauskas Petrauskas Jankauskas Silva Santos Ferreira Pereira Costa "
            "Rossi Russo Hoxha Krasniqi Berisha Dimitrov Georgiev Horváth Kovács Novák Popov Balogh"
        ),
    ),
    "caribbean": NamePool(
        male=_t(
            "Marcus Andre Tyrone Jermaine Delroy Winston Leon Kareem Devon Rohan Nathaniel Isaiah Kemar "
            "Dwayne Clive Lloyd Errol Jahmal Denzel Leroy Courtney Kofi"
        ),
        female=_t(
            "Shanice Tanisha Marcia Yvonne Beverley Simone Keisha Latoya Jasmine Chantelle Monique "
            "Paulette Sonia Kerry-Ann Shantel Janelle Nadine"
        ),
        family=_t(
            "Campbell Brown Williams Thomas Francis Henry Grant Clarke Richards Lewis Spencer Gordon Reid "
            "Bailey Samuels Forbes Beckford Barrett McKenzie Ellis Powell Simpson Walcott Nembhard Gayle "
            "Chambers Blackwood Morgan-Reid"
        ),
    ),
    "african": NamePool(
        male=_t(
            "Chukwuemeka Oluwaseun Tunde Kwame Kofi Yaw Abdi Mohamed Abdirahman Tendai Tafadzwa Emmanuel "
            "Samuel Joseph Ibrahim Moses Chidi Femi Kelechi Jean-Paul Tesfaye Yonas Dawit Musa Ousmane"
        ),
        female=_t(
            "Chiamaka Ngozi Adaeze Funmilayo Abena Akosua Ama Hodan Fadumo Amina Ruvimbo Nyasha Blessing "
            "Esther Mercy Precious Faith Hiwet Selam Miriam Aminata"
        ),
        family=_t(
            "Okafor Okonkwo Adeyemi Ogunleye Balogun Eze Nwosu Mensah Owusu Boateng Asante Osei Adjei "
            "Hassan Abdi Farah Warsame Moyo Ndlovu Chikwanha Mutasa Tesfay Gebremedhin Kamara Sesay "
            "Bangura Mukasa Odhiambo Kariuki Diallo Ogunbiyi-Cole"
        ),
    ),
    "indian": NamePool(
        male=_t(
            "Arjun Rohan Vikram Sanjay Rajesh Amit Gurpreet Jaspal Manjit Sunil Deepak Kiran Nikhil Ravi "
            "Anil Jaswinder Harvinder Aarav"
        ),
        female=_t(
            "Priya Anjali Sunita Neha Pooja Kavita Harjit Manpreet Simran Rupinder Asha Meena Divya "
            "Jasleen Nisha"
        ),
        family=_t(
            "Patel Shah Sharma Singh Kaur Gill Sandhu Dhillon Sidhu Bains Mistry Parmar Chauhan Joshi "
            "Mehta Desai Kumar Nair Pillai Rao Gupta Solanki Lad"
        ),
    ),
    "pakistani": NamePool(
        male=_t(
            "Mohammed Muhammad Imran Asif Tariq Zubair Bilal Usman Hamza Adnan Faisal Kashif Shahid "
            "Zeeshan Rizwan Amir Haroon Waqas Sajid Irfan"
        ),
        female=_t(
            "Ayesha Fatima Saima Nadia Sana Bushra Rabia Hina Shazia Amina Zainab Maryam Iqra Nazia Samina"
        ),
        family=_t(
            "Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood Butt Malik Shah Raja Rashid Anwar Aslam Bashir "
            "Chaudhry Javed Mirza Qureshi Rehman Sadiq Zaman Yousaf Arshad"
        ),
    ),
    "bangladeshi": NamePool(
        male=_t(
            "Abdul Shahid Rahim Jamal Kamal Rubel Shafiq Anwar Habib Mizanur Sohel Sabbir Rafiq Tanvir Nazrul"
        ),
        female=_t("Nasrin Shirin Rokeya Tahmina Sumaiya Farzana Rumana Jasmin Salma Shamima Halima Rehana"),
        family=_t(
            "Miah Uddin Rahman Begum Islam Hoque Chowdhury Ahmed Hussain Ali Khatun Sarkar Alam Karim "
            "Haque Bibi Mollah Talukder"
        ),
    ),
    "chinese": NamePool(
        male=_t("Wei Jun Hao Ming Jian Kai Tao Lei Chun Kwok Wing Daniel Kevin"),
        female=_t("Mei Li Xiu Ying Hui Lan Yan Fang Jing Ling Vivian Michelle"),
        family=_t(
            "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Chan Wong Cheung Lau Ng Leung Ho Tang Lam Yip"
        ),
    ),
    "other_asian": NamePool(
        male=_t(
            "Suresh Tharshan Kajan Niroshan Bikash Prakash Ramon Jose Minh Tuan Duc Hung Ahmad Farid Najib"
        ),
        female=_t("Thulasi Nirmala Sita Maria Hoa Linh Mai Parwana Tharani Sabina"),
        family=_t(
            "Sivakumar Rajaratnam Thevarajah Gurung Tamang Rai Thapa Santos Reyes Cruz Nguyen Tran Pham "
            "Le Hoang Ahmadzai Rahimi Noori Popal"
        ),
    ),
    "other": NamePool(
        male=_t(
            "Omar Khaled Youssef Karim Mustafa Rebwar Dilan Karwan Hemin Mehmet Emre Can Murat Reza "
            "Dariush Carlos Diego Luis"
        ),
        female=_t("Layla Nour Rania Yasmin Shilan Elif Zeynep Leila Shirin Valentina Daniela Noor"),
        family=_t(
            "Al-Hassan Haddad Mansour Saleh Nasser Abdullah Karimi Hosseini Mohammadi Yilmaz Kaya Demir "
            "Çelik Aziz Mahmoud Ibrahim Rodríguez González García Hernández Morales"
        ),
    ),
}

# Which pools a person of each NHS ethnic category draws names from: (given-name pool, family pool)
# pairs, picked with equal chance. Mixed categories pair pools from both heritages either way round.
ETHNICITY_POOLS: dict[str, tuple[tuple[str, str], ...]] = {
    "A": (("british", "british"),),
    "B": (("irish", "irish"), ("british", "irish")),
    "C": (("european", "european"), ("irish", "irish")),
    "D": (("british", "caribbean"), ("caribbean", "british"), ("british", "british")),
    "E": (("british", "african"), ("african", "british"), ("african", "african")),
    "F": (("british", "indian"), ("british", "pakistani"), ("chinese", "british"), ("british", "chinese")),
    "G": (("british", "other"), ("european", "caribbean"), ("other_asian", "british"), ("other", "african")),
    "H": (("indian", "indian"),),
    "J": (("pakistani", "pakistani"),),
    "K": (("bangladeshi", "bangladeshi"),),
    "L": (("other_asian", "other_asian"),),
    "M": (("caribbean", "caribbean"), ("british", "caribbean")),
    "N": (("african", "african"),),
    "P": (("caribbean", "african"), ("british", "african"), ("african", "caribbean")),
    "R": (("chinese", "chinese"), ("british", "chinese")),
    "S": (("other", "other"),),
}

# Family names that are held by one sex only, and Polish surnames that change ending with sex.
MALE_ONLY_FAMILY = frozenset({"Singh"})
FEMALE_ONLY_FAMILY = frozenset({"Kaur", "Begum", "Khatun", "Bibi"})
FEMININE_ENDINGS = (("ski", "ska"), ("cki", "cka"))

# Everyday short forms people give as their preferred name.
SHORT_FORMS: dict[str, str] = {
    "Thomas": "Tom",
    "William": "Billy",
    "Christopher": "Chris",
    "Matthew": "Matt",
    "Michael": "Mikey",
    "Daniel": "Danny",
    "Joshua": "Josh",
    "Samuel": "Sam",
    "Nathaniel": "Nate",
    "Rebecca": "Becky",
    "Jessica": "Jess",
    "Charlotte": "Charlie",
    "Katarzyna": "Kasia",
    "Aleksandra": "Ola",
    "Chukwuemeka": "Emeka",
    "Oluwaseun": "Seun",
    "Muhammad": "Mo",
    "Mohammed": "Mo",
    "Abdirahman": "Abdi",
    "Funmilayo": "Funmi",
    "Jermaine": "Jay",
    "Tafadzwa": "Taf",
}

# Staff of the fictional demo teams (not derived from the seed: the logins stay the same).
STAFF_NAMES = (
    "Alex Morgan",
    "Jo Adebayo",
    "Sam Whitfield",
    "Priya Raman",
    "Chris Okoro",
    "Dana Kowalczyk",
    "Robin Ashby",
    "Morgan Lee",
    "Kit Fairbairn",
    "Nadia Hussain",
    "Tomasz Zielinski",
    "Grace Mensah",
    "Owen Pryce",
    "Aisha Rahman",
    "Ellis Drummond",
    "Jordan Achebe",
    "Harriet Cole-Bishop",
    "Luca Moretti",
    "Imogen Tull",
    "Ravi Chandran",
    "Beth Carraway",
)
